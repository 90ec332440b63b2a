//! Plain SVG charts for the HTML report: bars of a stage's durations and the
//! line of its success rate over its recent runs. Drawn here from the numbers
//! (no script, no chart library), so the page reads without a script and
//! prints as it shows. Every label goes through the template's HTML escaping.

use askama::Template;

/// The drawing's own coordinates; the page scales it to its column.
const WIDTH: f64 = 300.0;
const HEIGHT: f64 = 130.0;
/// Room for the value labels on the left and the run labels below.
const LEFT: f64 = 46.0;
const RIGHT_MARGIN: f64 = 6.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 22.0;

struct Tick {
    y: String,
    label: String,
}

struct Bar {
    x: String,
    y: String,
    width: String,
    height: String,
    tone: &'static str,
    label: String,
}

struct Dot {
    x: String,
    y: String,
    tone: &'static str,
    label: String,
}

/// The fixed geometry, as the template writes it.
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    tick_x: f64,
    axis_y: f64,
}

const FRAME: Frame = Frame {
    width: WIDTH,
    height: HEIGHT,
    left: LEFT,
    tick_x: LEFT - 4.0,
    axis_y: HEIGHT - 6.0,
};

#[derive(Template)]
#[template(path = "chart.svg")]
struct Chart {
    frame: Frame,
    kind: &'static str,
    id: String,
    title: String,
    right: f64,
    ticks: Vec<Tick>,
    bars: Vec<Bar>,
    lines: Vec<String>,
    dots: Vec<Dot>,
    first: String,
    last: String,
}

/// Coordinates with one decimal: enough for a screen, and a small file.
fn coord(value: f64) -> String {
    format!("{value:.1}")
}

fn plot_height() -> f64 {
    HEIGHT - TOP - BOTTOM
}

/// The top of the duration scale: the largest value rounded up to a round
/// number, so the ticks read as 0, half and all of it.
fn scale_top(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    let steps = [1.0, 2.0, 2.5, 5.0, 10.0];
    steps
        .iter()
        .map(|s| s * magnitude)
        .find(|top| *top >= max)
        .unwrap_or(10.0 * magnitude)
}

/// "0 s", "0.25 s", "12 s", "12.5 s", "3 min".
pub(crate) fn seconds(value: f64) -> String {
    if value >= 120.0 {
        format!("{:.0} min", value / 60.0)
    } else if value >= 10.0 && (value - value.round()).abs() < 0.05 {
        format!("{value:.0} s")
    } else if value >= 10.0 {
        format!("{value:.1} s")
    } else if value == 0.0 {
        "0 s".to_owned()
    } else {
        format!("{value:.2} s")
    }
}

fn run_labels(count: usize) -> (String, String) {
    match count {
        0 => ("no runs".to_owned(), String::new()),
        1 => ("1 run".to_owned(), String::new()),
        n => (format!("{n} runs ago"), "latest".to_owned()),
    }
}

/// Bars of `durations` (oldest first); `passed` colours each bar by its
/// run's gate. `id` must be unique in the page.
pub(crate) fn durations(id: &str, stage: &str, durations: &[f64], passed: &[bool]) -> String {
    let top = scale_top(durations.iter().copied().fold(0.0, f64::max));
    let right = WIDTH - RIGHT_MARGIN;
    let slot = (right - LEFT) / durations.len().max(1) as f64;
    // A few runs make no wide slabs: a bar is at most 24 units wide.
    let width = (slot * 0.7).clamp(1.0, 24.0);
    let bars = durations
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let height = (d / top * plot_height()).max(0.5);
            let ok = passed.get(i).copied().unwrap_or(true);
            Bar {
                x: coord(LEFT + slot * i as f64 + (slot - width) / 2.0),
                y: coord(TOP + plot_height() - height),
                width: coord(width),
                height: coord(height),
                tone: if ok { "ok" } else { "bad" },
                label: format!(
                    "run {} of {}: {}{}",
                    i + 1,
                    durations.len(),
                    seconds(*d),
                    if ok { "" } else { ", gate failed" }
                ),
            }
        })
        .collect();
    let (first, last) = run_labels(durations.len());
    render(&Chart {
        frame: FRAME,
        kind: "durations",
        id: id.to_owned(),
        title: format!(
            "{stage}: duration of the last {} runs, up to {}",
            durations.len(),
            seconds(top)
        ),
        right,
        ticks: ticks(&[
            (0.0, seconds(0.0)),
            (0.5, seconds(top / 2.0)),
            (1.0, seconds(top)),
        ]),
        bars,
        lines: Vec::new(),
        dots: Vec::new(),
        first,
        last,
    })
}

/// The success rate of each run (oldest first) on a fixed 0-100 % scale; a
/// run where no test counted breaks the line.
pub(crate) fn success_rates(id: &str, stage: &str, rates: &[Option<f64>]) -> String {
    let right = WIDTH - RIGHT_MARGIN;
    let slot = (right - LEFT) / rates.len().max(1) as f64;
    let mut lines = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut dots = Vec::new();
    for (i, rate) in rates.iter().enumerate() {
        let Some(rate) = rate else {
            if current.len() > 1 {
                lines.push(current.join(" "));
            }
            current.clear();
            continue;
        };
        let x = LEFT + slot * (i as f64 + 0.5);
        let y = TOP + plot_height() * (1.0 - rate.clamp(0.0, 1.0));
        current.push(format!("{},{}", coord(x), coord(y)));
        dots.push(Dot {
            x: coord(x),
            y: coord(y),
            tone: if *rate >= 1.0 { "ok" } else { "bad" },
            label: format!("run {} of {}: {:.1} %", i + 1, rates.len(), rate * 100.0),
        });
    }
    if current.len() > 1 {
        lines.push(current.join(" "));
    }
    let (first, last) = run_labels(rates.len());
    render(&Chart {
        frame: FRAME,
        kind: "rates",
        id: id.to_owned(),
        title: format!("{stage}: success rate of the last {} runs", rates.len()),
        right,
        ticks: ticks(&[
            (0.0, "0 %".into()),
            (0.5, "50 %".into()),
            (1.0, "100 %".into()),
        ]),
        bars: Vec::new(),
        lines,
        dots,
        first,
        last,
    })
}

fn ticks(at: &[(f64, String)]) -> Vec<Tick> {
    at.iter()
        .map(|(fraction, label)| Tick {
            y: coord(TOP + plot_height() * (1.0 - fraction)),
            label: label.clone(),
        })
        .collect()
}

fn render(chart: &Chart) -> String {
    // Rendering into a String fails only when a value's Display fails, which
    // none of these do; an empty chart is still a valid page.
    chart.render().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_read_short() {
        assert_eq!(seconds(0.0), "0 s");
        assert_eq!(seconds(0.254), "0.25 s");
        assert_eq!(seconds(12.5), "12.5 s");
        assert_eq!(seconds(25.0), "25 s");
        assert_eq!(seconds(600.0), "10 min");
    }

    #[test]
    fn scale_tops_are_round_numbers() {
        assert!((scale_top(0.0) - 1.0).abs() < 1e-9);
        assert!((scale_top(0.7) - 1.0).abs() < 1e-9);
        assert!((scale_top(1.3) - 2.0).abs() < 1e-9);
        assert!((scale_top(23.0) - 25.0).abs() < 1e-9);
        assert!((scale_top(51.0) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_bar_per_run_and_labels_escaped() {
        let svg = durations("c1", "<fast>", &[1.0, 2.0, 4.0], &[true, false, true]);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert_eq!(svg.matches("class=\"bar bad\"").count(), 1);
        assert!(svg.contains("&#60;fast&#62;"), "{svg}");
        assert!(!svg.contains("<fast>"));
    }

    #[test]
    fn a_run_without_a_rate_breaks_the_line() {
        let svg = success_rates(
            "c2",
            "fast",
            &[Some(1.0), Some(0.5), None, Some(1.0), Some(0.9)],
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 4);
    }
}
