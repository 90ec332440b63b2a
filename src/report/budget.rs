//! Budget lines under the summary: a stage over its budget, or slower than
//! its own recent past.

use console::style;

use crate::pipeline::RunOutcome;
use crate::policy::budget::{BudgetLevel, BudgetStatus};

/// One line per stage whose budget status is not `OK`; `None` when every
/// judged stage is within its budget (the report still says `OK`).
pub(crate) fn budget_lines(
    outcome: &RunOutcome,
    budgets: &[Option<BudgetStatus>],
) -> Option<String> {
    let mut lines = Vec::new();
    for (stage, budget) in outcome.stages.iter().zip(budgets) {
        let Some(budget) = budget else { continue };
        let word = match budget.level {
            BudgetLevel::Ok => continue,
            BudgetLevel::Warning => style(budget.level.as_str()).yellow().bold(),
            BudgetLevel::Regression => style(budget.level.as_str()).red().bold(),
        };
        lines.push(format!(
            "  budget {} {word}: {}",
            stage.name,
            budget.reasons.join("; ")
        ));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}
