"""The fish completion script: the data of `completion.cli_model()` behind a small driver of fish functions."""

from __future__ import annotations

from aml_cli.cli.completion import HEADER, PREFIX_WORD, SHELLS, CliModel, Opt


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_option(condition: str, opt: Opt) -> str:
    parts = ["complete -c aml"]
    if condition:
        parts.append(f"-n {_fish_quote(condition)}")
    parts.append(f"-l {opt.name[2:]}")
    if opt.choices:
        parts.append(f"-xa {_fish_quote(' '.join(opt.choices))}")
    elif opt.takes_value:
        parts.append("-r")
    if opt.doc:
        parts.append(f"-d {_fish_quote(opt.doc)}")
    return " ".join(parts)


def fish_script(model: CliModel) -> str:
    global_valued = " ".join(o.name for o in model.globals if o.takes_value)
    lines = [
        f"# fish completion for aml. {HEADER}",
        "# Install: copy to ~/.config/fish/completions/aml.fish",
        "",
        "function __aml_words --description 'The command words before the cursor (global options skipped)'",
        "    set -l tokens (commandline -opc)",
        "    set -e tokens[1]",
        "    set -l skip 0",
        "    set -l found",
        "    for token in $tokens",
        "        if test $skip -eq 1",
        "            set skip 0",
        "            continue",
        "        end",
        "        switch $token",
        f"            case {global_valued}",
        "                set skip 1",
        "            case '-*'",
        f"            case {PREFIX_WORD}",
        "                if test (count $found) -gt 0",
        "                    set -a found $token",
        "                end",
        "            case '*'",
        "                set -a found $token",
        "        end",
        "    end",
        "    for word in $found",
        "        echo $word",
        "    end",
        "end",
        "",
        "function __aml_at --description 'True when exactly these command words come before the cursor'",
        "    set -l words (__aml_words)",
        "    test (count $words) -eq (count $argv); or return 1",
        "    for i in (seq (count $argv))",
        '        test "$words[$i]" = "$argv[$i]"; or return 1',
        "    end",
        "    return 0",
        "end",
        "",
        "function __aml_in --description 'True when the command words start with these'",
        "    set -l words (__aml_words)",
        "    test (count $words) -ge (count $argv); or return 1",
        "    for i in (seq (count $argv))",
        '        test "$words[$i]" = "$argv[$i]"; or return 1',
        "    end",
        "    return 0",
        "end",
        "",
        "function __aml_unprefixed --description 'True when the machinelearning prefix was not typed'",
        f"    not contains -- {PREFIX_WORD} (commandline -opc)",
        "end",
        "",
        "complete -c aml -f",
    ]
    lines += [_fish_option("", opt) for opt in model.globals]
    for command in model.commands:
        doc = f" -d {_fish_quote(command.doc)}" if command.doc else ""
        lines.append(f"complete -c aml -n '__aml_at' -a {command.key}{doc}")
    for name, commands in model.services.items():
        lines.append(f"complete -c aml -n '__aml_at; and __aml_unprefixed' -a {name} "
                     f"-d {_fish_quote(f'The aws {name} commands.')}")
        for command in commands:
            doc = f" -d {_fish_quote(command.doc)}" if command.doc else ""
            lines.append(f"complete -c aml -n '__aml_at {name}' -a {command.key.split('/', 1)[1]}{doc}")
    for waiter_cmd in model.waiters:
        doc = f" -d {_fish_quote(waiter_cmd.doc)}" if waiter_cmd.doc else ""
        lines.append(f"complete -c aml -n '__aml_at wait' -a {waiter_cmd.key.split('/', 1)[1]}{doc}")
    lines.append(f"complete -c aml -n '__aml_at completions' -a {_fish_quote(' '.join(SHELLS))}")
    for command in model.everything():
        condition = "__aml_in " + command.key.replace("/", " ")
        lines += [_fish_option(condition, opt) for opt in command.options]
    lines.append("")
    return "\n".join(lines)
