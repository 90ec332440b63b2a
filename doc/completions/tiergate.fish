# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tiergate_global_optspecs
    string join \n q/quiet v/verbose color= h/help V/version
end

function __fish_tiergate_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tiergate_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tiergate_using_subcommand
    set -l cmd (__fish_tiergate_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tiergate -n "__fish_tiergate_needs_command" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_needs_command" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_needs_command" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_needs_command" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_needs_command" -s V -l version -d 'Print version'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "run" -d 'Run stages or groups: `tiergate run smoke fast.unit`'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "hook" -d 'Run a git hook\'s tiers: what the installed shims call'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "plan" -d 'Explain what would run and why, for a hook or stages; runs nothing'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "install" -d 'Install the git hooks (and offer a .tiergate.toml) in this repository'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "uninstall" -d 'Remove tiergate\'s hooks; a chained hook of your own is put back'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "doctor" -d 'Check git, the config, programs, services, hooks and the state dir'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "config" -d 'Check the config, print the effective one, or its JSON Schema'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "ci-full" -d 'Run the whole pipeline as CI would, then give the deployment verdict'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "report" -d 'Render saved JSON reports, or merge the per-group reports of a distributed run'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "export" -d 'Generate CI configuration from .tiergate.toml'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "history" -d 'Past runs, flaky tests and stage trends, from the state dir\'s history.jsonl'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "import" -d 'Write a .tiergate.toml from a pre-commit, lefthook or husky + lint-staged config'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "affected" -d 'Print the test files a change affects through the code\'s imports, one a line'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "recover" -d 'List and restore unstaged work a crashed or killed run left stashed'
complete -c tiergate -n "__fish_tiergate_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l stage -d 'A stage to run (the `ci_runner.py` spelling; combine with --group)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l group -d 'A group of --stage to run' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l from -d 'Select by the commits from the merge base of REF and --to (like `git diff REF...TO`)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l to -d 'The end of a --from range (default: HEAD)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l files -d 'Select by these paths, as if they had changed' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l changed-since -d 'Select by everything changed since REF: its commits and uncommitted work' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l commit -d 'Select by one commit\'s own changes, its diff against its first parent (for `git rebase -x \'tiergate run smoke fast --commit HEAD\'`)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l save-report -d 'Write the JSON report here' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l junit -d 'Write one merged JUnit XML of everything that ran here' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l prometheus -d 'Write the run\'s metrics here, in Prometheus text format' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l html -d 'Write the report as one HTML page here (stages, failures, the verdict)' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -s j -l jobs -d 'The slot budget for parallel groups (default: settings.jobs)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l shard -d 'Run shard K of N: the groups with `{tests}` or `{files}` get this shard\'s share of their files (split by duration in history); other groups run on shard 1 only' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l all -d 'Run every selected stage in full, as if everything changed (the default)'
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l changed -d 'Select by uncommitted changes: work tree and index vs HEAD, plus untracked files'
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l staged -d 'Select by what is staged: the index vs HEAD, as the pre-commit hook does'
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l exit-on-failure -d 'Stop at the first failed gate, even a `warn` or `inform` one, and exit 1'
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -l no-cache -d 'Run every group even when a cached pass exists'
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand run" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand hook" -l prometheus -d 'Write the run\'s metrics here, in Prometheus text format (before the hook\'s name; the shims pass nothing, so set `TIERGATE_PROMETHEUS` instead)' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand hook" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand hook" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand hook" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand hook" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l from -d 'Select by the commits from the merge base of REF and --to (like `git diff REF...TO`)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l to -d 'The end of a --from range (default: HEAD)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l files -d 'Select by these paths, as if they had changed' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l changed-since -d 'Select by everything changed since REF: its commits and uncommitted work' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l commit -d 'Select by one commit\'s own changes, its diff against its first parent (for `git rebase -x \'tiergate run smoke fast --commit HEAD\'`)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l shard -d 'Show shard K of N: its files, their expected time, and every shard\'s total' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l all -d 'Run every selected stage in full, as if everything changed (the default)'
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l changed -d 'Select by uncommitted changes: work tree and index vs HEAD, plus untracked files'
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -l staged -d 'Select by what is staged: the index vs HEAD, as the pre-commit hook does'
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand plan" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand install" -l hooks -d 'The hooks to install, comma-separated (default: all three)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand install" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand install" -s y -l yes -d 'Take the defaults without asking'
complete -c tiergate -n "__fish_tiergate_using_subcommand install" -l force -d 'Replace a foreign hook instead of chaining it (it is kept as a backup)'
complete -c tiergate -n "__fish_tiergate_using_subcommand install" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand install" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand install" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand uninstall" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand uninstall" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand uninstall" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand uninstall" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand doctor" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand doctor" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand doctor" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand config" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand config" -l show-effective -d 'Print the resolved configuration, every default filled in, as TOML that loads back the same'
complete -c tiergate -n "__fish_tiergate_using_subcommand config" -l schema -d 'Print the JSON Schema of .tiergate.toml'
complete -c tiergate -n "__fish_tiergate_using_subcommand config" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand config" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand config" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand ci-full" -l save-report -d 'Write the JSON report here' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand ci-full" -l junit -d 'Write one merged JUnit XML of everything that ran here' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand ci-full" -l prometheus -d 'Write the run\'s metrics here, in Prometheus text format' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand ci-full" -l html -d 'Write the report as one HTML page here (stages, failures, the verdict)' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand ci-full" -l changed-since -d 'Run only what changed since REF (its commits and uncommitted work)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand ci-full" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand ci-full" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand ci-full" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand ci-full" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand report" -l merge -d 'Merge the reports into one and write it here' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand report" -l format -d 'How to print the report(s)' -r -f -a "text\t''
json\t''
markdown\t''
junit\t''
html\t'One self-contained page (inline style and SVG charts, no script)'"
complete -c tiergate -n "__fish_tiergate_using_subcommand report" -s o -l output -d 'Write the rendering here instead of printing it (`--format html -o report.html`)' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand report" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand report" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand report" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and not __fish_seen_subcommand_from github gitlab help" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and not __fish_seen_subcommand_from github gitlab help" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and not __fish_seen_subcommand_from github gitlab help" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and not __fish_seen_subcommand_from github gitlab help" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and not __fish_seen_subcommand_from github gitlab help" -f -a "github" -d 'A GitHub Actions workflow: a job per stage, a matrix over its groups, a merge job'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and not __fish_seen_subcommand_from github gitlab help" -f -a "gitlab" -d 'A .gitlab-ci.yml: a job per group, `parallel: N` shards, JUnit reports, a merge job'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and not __fish_seen_subcommand_from github gitlab help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from github" -s o -l output -d 'Where to write the workflow; `-` prints it' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from github" -l shards -d 'Split each group that takes `{tests}` or `{files}` over N jobs (`--shard K/N`), and select pull requests from their base commit' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from github" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from github" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from github" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from github" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from gitlab" -s o -l output -d 'Where to write the pipeline; `-` prints it' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from gitlab" -l shards -d 'How many jobs each group that takes `{tests}` or `{files}` is split over' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from gitlab" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from gitlab" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from gitlab" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from gitlab" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "github" -d 'A GitHub Actions workflow: a job per stage, a matrix over its groups, a merge job'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "gitlab" -d 'A .gitlab-ci.yml: a job per group, `parallel: N` shards, JUnit reports, a merge job'
complete -c tiergate -n "__fish_tiergate_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tiergate -n "__fish_tiergate_using_subcommand history" -l html -d 'Write the history as one HTML page here: charts per stage, slowest groups, flaky tests, budget warnings' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand history" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand history" -l flaky -d 'Tests that both passed and failed in their last 10 non-cached runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand history" -l trends -d 'Success rate and duration per stage over its recent runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand history" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand history" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand history" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand import" -s i -l input -d 'The config to read (default: .pre-commit-config.yaml, or lefthook.yml / .lefthook.yml); for husky, the project folder (default: the current one)' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand import" -s o -l output -d 'Where to write the new config; `-` prints it to stdout' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand import" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand import" -l force -d 'Overwrite the output file when it exists'
complete -c tiergate -n "__fish_tiergate_using_subcommand import" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand import" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tiergate -n "__fish_tiergate_using_subcommand completions" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand completions" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand completions" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand completions" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -l from -d 'Select by the commits from the merge base of REF and --to (like `git diff REF...TO`)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -l to -d 'The end of a --from range (default: HEAD)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -l files -d 'Select by these paths, as if they had changed' -r -F
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -l changed-since -d 'Select by everything changed since REF: its commits and uncommitted work' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -l commit -d 'Select by one commit\'s own changes, its diff against its first parent (for `git rebase -x \'tiergate run smoke fast --commit HEAD\'`)' -r
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -l all -d 'Run every selected stage in full, as if everything changed (the default)'
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -l changed -d 'Select by uncommitted changes: work tree and index vs HEAD, plus untracked files'
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -l staged -d 'Select by what is staged: the index vs HEAD, as the pre-commit hook does'
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -s z -d 'End each name with a NUL byte instead of a newline (for `xargs -0`)'
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand affected" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand recover" -l color -d 'Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tiergate -n "__fish_tiergate_using_subcommand recover" -s q -l quiet -d 'One summary line instead of the full output'
complete -c tiergate -n "__fish_tiergate_using_subcommand recover" -s v -l verbose -d 'Stream every command\'s output as it runs'
complete -c tiergate -n "__fish_tiergate_using_subcommand recover" -s h -l help -d 'Print help'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "run" -d 'Run stages or groups: `tiergate run smoke fast.unit`'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "hook" -d 'Run a git hook\'s tiers: what the installed shims call'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "plan" -d 'Explain what would run and why, for a hook or stages; runs nothing'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "install" -d 'Install the git hooks (and offer a .tiergate.toml) in this repository'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "uninstall" -d 'Remove tiergate\'s hooks; a chained hook of your own is put back'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "doctor" -d 'Check git, the config, programs, services, hooks and the state dir'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "config" -d 'Check the config, print the effective one, or its JSON Schema'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "ci-full" -d 'Run the whole pipeline as CI would, then give the deployment verdict'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "report" -d 'Render saved JSON reports, or merge the per-group reports of a distributed run'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "export" -d 'Generate CI configuration from .tiergate.toml'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "history" -d 'Past runs, flaky tests and stage trends, from the state dir\'s history.jsonl'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "import" -d 'Write a .tiergate.toml from a pre-commit, lefthook or husky + lint-staged config'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "completions" -d 'Print a shell completion script'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "affected" -d 'Print the test files a change affects through the code\'s imports, one a line'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "recover" -d 'List and restore unstaged work a crashed or killed run left stashed'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and not __fish_seen_subcommand_from run hook plan install uninstall doctor config ci-full report export history import completions affected recover help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and __fish_seen_subcommand_from export" -f -a "github" -d 'A GitHub Actions workflow: a job per stage, a matrix over its groups, a merge job'
complete -c tiergate -n "__fish_tiergate_using_subcommand help; and __fish_seen_subcommand_from export" -f -a "gitlab" -d 'A .gitlab-ci.yml: a job per group, `parallel: N` shards, JUnit reports, a merge job'
