"""Help pages: `aml help [<command> [<waiter>] | <topic>]`, and `<command> help` / `--help` everywhere.

Pages are plain text at the terminal's width (80 when piped), sent through
the pager on a terminal as any output is. Operation and waiter pages are
derived from the API description and `api.docs`; an extra's page from the
Click command its module builds (`command()`); topics are `api.topics`.
"""

from __future__ import annotations

from aml_cli.api import DEFAULT_SERVICE, Service, cli_name
from aml_cli.api.docs import first_sentence
from aml_cli.api.docs import of as docs_of
from aml_cli.api.model import Operation
from aml_cli.cli.help_format import STEP, Page, describe_doc, describe_syntax, describe_value, has_syntax, type_label

MAX_WIDTH = 100
COLUMN = 32  # where the one-line summaries of command lists start
HELP_WORDS = ("help", "--help", "-h")


def _width() -> int:
    from aml_cli.cli.output_stream import terminal_width

    return min(terminal_width(), MAX_WIDTH)


def _show(text: str) -> int:
    from aml_cli.cli.output_stream import write_stdout

    write_stdout(text)
    return 0


# ---- dispatch -------------------------------------------------------------------------------------


def run_help(described: Service, words: list[str]) -> int:
    """`aml [<service>] help ...`: the root page, a topic, a command's page, `wait`'s or a waiter's."""
    from aml_cli.api.topics import TOPICS
    from aml_cli.cli.extras import EXTRAS
    from aml_cli.cli.main import cli_services

    words = list(words)
    if words[:1] and words[0] in cli_services():  # `aml help cleanroomsml get-trained-model`
        from aml_cli.api import service

        described, words = service(words[0]), words[1:]
    while words and words[-1] in HELP_WORDS:  # `aml help wait help` is `aml help wait`
        words.pop()
    if not words:
        return _show(root_page(_width(), described))
    name, rest = words[0], words[1:]
    own = described.cli_name == DEFAULT_SERVICE  # topics and extras belong to Amazon ML's `aml`
    if name == "wait" and described.waiter_names():
        return _show(waiter_page(described, find_waiter(described, rest[0]), _width()) if rest
                     else wait_page(described, _width()))
    if rest:
        from aml_cli.cli.usage_errors import UnknownOptionsError

        raise UnknownOptionsError(rest)
    if own and name in TOPICS:
        return _show(TOPICS[name].text)
    if own and name in EXTRAS:
        return _show(extra_page(name, _width()))
    from aml_cli.cli.main import operation_for

    op_name = operation_for(described, name, also=tuple(TOPICS) if own else ())
    return _show(operation_page(described.operation(op_name), _width()))


def find_waiter(described: Service, word: str) -> str:
    """The waiter `word` names (`ml-model-available`), or the AWS CLI's invalid-choice usage error."""
    from aml_cli.cli.usage_errors import UsageError, invalid_choice_message

    by_cli = {cli_name(name): name for name in described.waiter_names()}
    if word not in by_cli:
        raise UsageError(invalid_choice_message("subcommand", word, by_cli))
    return by_cli[word]


def print_operation_help(op: Operation) -> None:
    _show(operation_page(op, _width()))


def print_waiter_help(described: Service, name: str) -> None:
    _show(waiter_page(described, name, _width()))


def print_wait_help(described: Service) -> None:
    _show(wait_page(described, _width()))


def print_extra_help(name: str) -> None:
    _show(extra_page(name, _width()))


# ---- pages ----------------------------------------------------------------------------------------


def root_page(width: int, described: Service | None = None) -> str:
    """`aml help` (Amazon ML, the extras, topics and the other services) or `aml <service> help`."""
    from aml_cli.api import service

    described = described or service()
    if described.cli_name != DEFAULT_SERVICE:
        return _service_page(width, described)
    from aml_cli.api.topics import TOPICS
    from aml_cli.cli.extras import EXTRAS

    page = Page(width)
    page.heading("Usage")
    page.verbatim("aml [global options] <command> [parameters]\naml help [<command> [<waiter>] | <topic>]", 2)
    page.blank()
    page.para(
        "Amazon Machine Learning's `aws machinelearning` commands, run on a local engine: the same commands, "
        "options, input and output as the AWS CLI, over a store on this machine. `aml machinelearning "
        "<command>` works too.",
        2,
    )
    page.heading("Commands (aws machinelearning)")
    _summaries(page, command_summaries(described))
    _other_services(page)
    page.heading("Extras (aml only, not in the AWS API)")
    _summaries(page, [(name, extra.summary) for name, extra in EXTRAS.items()])
    page.heading("Help topics")
    _summaries(page, [(name, topic.summary) for name, topic in TOPICS.items()])
    _global_options(page)
    page.blank()
    page.para("`aml help <command>` or `aml <command> help` shows a command's options; `aml help <topic>` "
              "a topic.", 2)
    return page.text()


def _other_services(page: Page) -> None:
    from aml_cli.api import service
    from aml_cli.cli.main import cli_services

    others = [name for name in cli_services() if name != DEFAULT_SERVICE]
    if others:
        page.heading("Other services (aml <service> <command>)")
        _summaries(page, [(name, f"aws {name}: {service(name).service_id}; `aml {name} help` lists its "
                                 "commands.") for name in others])


def _service_page(width: int, described: Service) -> str:
    name = described.cli_name
    page = Page(width, name)
    page.heading("Usage")
    page.verbatim(f"aml [global options] {name} <command> [parameters]\naml {name} help [<command>]", 2)
    page.blank()
    page.para(f"The `aws {name}` commands ({described.service_id}, {described.api_version}), run on aml's local "
              "engine with the AWS CLI's options, input and output.", 2)
    page.heading(f"Commands (aws {name})")
    _summaries(page, command_summaries(described))
    _global_options(page)
    page.blank()
    page.para(f"`aml {name} help <command>` or `aml {name} <command> help` shows a command's options.", 2)
    return page.text()


def command_summaries(described: Service) -> list[tuple[str, str]]:
    """Every API command of a service (and `wait`, where it has waiters) with the first sentence of its doc."""
    docs = docs_of(described.cli_name)
    rows = [(cli_name(name), first_sentence(docs.OPERATION_DOCS[name])) for name in described.operation_names()]
    if described.waiter_names():
        rows.append(("wait", first_sentence(docs.WAIT_DOC)))
    return rows


def _summaries(page: Page, rows: list[tuple[str, str]]) -> None:
    for name, text in rows:
        page.row(name, first_sentence(text), 2, COLUMN)


def _global_options(page: Page) -> None:
    from aml_cli.cli.commands import GLOBAL_HELP
    from aml_cli.cli.globals import GLOBAL_OPTIONS, takes_value, value_kind

    page.heading("Global options (before or after the command)")
    for name in GLOBAL_OPTIONS:
        kind = value_kind(name) if takes_value(name) else None
        value = "" if not takes_value(name) else f" <{'|'.join(kind)}>" if isinstance(kind, tuple) else " <value>"
        page.row(name + value, GLOBAL_HELP.get(name, ""), 2, COLUMN)


def operation_page(op: Operation, width: int) -> str:
    specs = _visible_specs(op)
    page = Page(width, op.service)
    prefix = "aml " if op.service == DEFAULT_SERVICE else f"aml {op.service} "
    _usage(page, prefix + cli_name(op.name), specs)
    page.blank()
    page.para(docs_of(op.service).OPERATION_DOCS[op.name], 2)
    if op.paginator is not None:
        page.blank()
        page.para(
            f"Every page of {op.paginator.result_key} is fetched and printed as one answer, unless "
            "--no-paginate (one call) or --max-items (stop early, with a NextToken to resume from) is given.",
            2,
        )
    _options(page, specs)
    _closing(page, specs)
    return page.text()


def waiter_page(described: Service, name: str, width: int) -> str:
    from aml_cli.cli.completion import WAITER_REFUSES
    from aml_cli.cli.waiters import waiter_description

    spec = described.waiter(name)
    specs = [s for s in _visible_specs(described.operation(spec.operation)) if s.name not in WAITER_REFUSES]
    page = Page(width, described.cli_name)
    _usage(page, f"aml wait {cli_name(name)}", specs)
    page.blank()
    page.para(waiter_description(described, spec), 2)
    _options(page, specs)
    _closing(page, specs)
    return page.text()


def wait_page(described: Service, width: int) -> str:
    page = Page(width, described.cli_name)
    page.heading("Usage")
    page.verbatim("aml wait <waiter> [options]", 2)
    page.blank()
    page.para(docs_of(described.cli_name).WAIT_DOC, 2)
    page.lines.append("")
    page.lines.extend(waiter_list(described, width).splitlines())
    page.blank()
    page.para("`aml wait <waiter> help` shows a waiter's options.", 2)
    return page.text()


def waiter_list(described: Service, width: int = 80) -> str:
    """`Waiters:` and one line per waiter: what `aml wait` alone adds to its usage error."""
    docs = docs_of(described.cli_name)
    page = Page(width, described.cli_name)
    page.lines.append("Waiters:")
    _summaries(page, [(cli_name(name), first_sentence(docs.WAITER_DOCS[name])) for name in described.waiter_names()])
    return page.text().rstrip("\n")


def _visible_specs(op) -> list:
    from aml_cli.cli.args import option_specs

    return [spec for spec in option_specs(op) if not spec.hidden]


def _synopsis(spec) -> str:
    if spec.kind == "flag":
        text = f"{spec.name} | {spec.negative}" if spec.negative else spec.name
    elif spec.kind == "list":
        text = f"{spec.name} <value> [<value> ...]"
    else:
        text = f"{spec.name} <value>"
    return text if spec.required else f"[{text}]"


def _usage(page: Page, command: str, specs: list) -> None:
    page.heading("Usage")
    page.verbatim(command, 2)
    page.verbatim("\n".join(_synopsis(spec) for spec in specs) + "\n[<global options>]", 2 + STEP)


def _options(page: Page, specs: list) -> None:
    page.heading("Options")
    for spec in specs:
        page.blank()
        flag = f"{spec.name} | {spec.negative}" if spec.negative else spec.name
        kind = type_label(spec.shape) if spec.shape is not None else "string"
        page.verbatim(f"{flag} ({kind})" + (" [required]" if spec.required else ""), 2)
        depth = 2 + STEP
        if spec.member:
            describe_doc(page, spec.input_shape, spec.member, depth)
        else:
            page.para(spec.help, depth)
        if spec.choices:
            page.para("Possible values: " + ", ".join(spec.choices) + ".", depth)
        if spec.shape is None:
            continue
        describe_value(page, spec.shape, depth)
        if has_syntax(spec.shape):
            describe_syntax(page, spec.shape, depth)


def _closing(page: Page, specs: list) -> None:
    """The pointer to the global options, and the topics this command's members refer to."""
    page.heading("Global options")
    page.para("--output, --query, --debug and the other global options go before or after the command; "
              "`aml help` lists them.", 2)
    topics = _topics_of(page.service, [spec.shape for spec in specs if spec.shape is not None],
                        [spec.member for spec in specs if spec.member])
    if topics:
        page.heading("See also")
        page.verbatim("\n".join(f"aml help {topic}" for topic in topics), 2)


def _topics_of(service_name: str, shapes: list, members: list[str]) -> list[str]:
    """The help topics of these members and of every member nested in their shapes, in first-seen order."""
    MEMBER_TOPICS = getattr(docs_of(service_name), "MEMBER_TOPICS", {})

    found: dict[str, None] = {MEMBER_TOPICS[name]: None for name in members if name in MEMBER_TOPICS}
    pending = list(shapes)
    while pending:
        shape = pending.pop(0)
        for name, member in shape.members.items():
            if name in MEMBER_TOPICS:
                found.setdefault(MEMBER_TOPICS[name])
            pending.append(member)
        pending.extend(part for part in (shape.member, shape.value) if part is not None)
    return list(found)


# ---- extras ---------------------------------------------------------------------------------------


def extra_page(name: str, width: int) -> str:
    """An extra's page, from the Click command its module builds: every option with its help."""
    import click

    from aml_cli.cli.extras import EXTRAS, extra_command

    command = extra_command(name)
    params = [param for param in command.params if not getattr(param, "hidden", False)]
    page = Page(width)
    page.heading("Usage")
    page.verbatim(f"aml {name}", 2)
    page.verbatim("\n".join(_click_synopsis(param) for param in params) + "\n[<global options>]", 2 + STEP)
    page.blank()
    page.para(command.help or EXTRAS[name].summary, 2)
    page.heading("Options" if any(isinstance(p, click.Option) for p in params) else "Arguments")
    for param in params:
        page.blank()
        page.verbatim(_click_heading(param), 2)
        page.para(getattr(param, "help", None) or "", 2 + STEP)
        rules = _click_rules(param)
        if rules:
            page.para(rules, 2 + STEP)
    page.heading("Global options")
    page.para("The global options go before or after the command; `aml help` lists them.", 2)
    return page.text()


def _click_synopsis(param) -> str:
    import click

    if isinstance(param, click.Argument):
        return f"<{param.name}>"
    name = param.opts[0]
    text = f"{name} | {param.secondary_opts[0]}" if param.secondary_opts else name
    text = text if param.is_flag else f"{name} <value>"
    return text if param.required else f"[{text}]"


def _click_heading(param) -> str:
    import click

    if isinstance(param, click.Argument):
        return f"<{param.name}> (string) [required]"
    names = " | ".join([*param.opts, *param.secondary_opts])
    kind = "boolean" if param.is_flag else _click_type(param.type)
    return f"{names} ({kind})" + (" [required]" if param.required else "")


def _click_type(kind) -> str:
    import click

    if isinstance(kind, click.types.IntParamType):
        return "integer"
    if isinstance(kind, click.types.FloatParamType):
        return "float"
    return "string"


def _click_rules(param) -> str:
    """What Click itself enforces on the value (choices, ranges) and its default, in words."""
    import click

    kind, rules = param.type, []
    if isinstance(kind, click.Choice):
        rules.append("Possible values: " + ", ".join(str(choice) for choice in kind.choices) + ".")
    if isinstance(kind, click.IntRange | click.FloatRange) and (kind.min is not None or kind.max is not None):
        low = "" if kind.min is None else f"from {kind.min:g} "
        high = "" if kind.max is None else f"to {kind.max:g}"
        rules.append(f"Constraints: {low}{high}".rstrip() + ".")
    default = getattr(param, "default", None)
    if isinstance(param, click.Option) and not param.is_flag and default not in (None, ()) and _is_plain(default):
        rules.append(f"Default: {default}.")
    return " ".join(rules)


def _is_plain(value: object) -> bool:
    return isinstance(value, str | int | float)
