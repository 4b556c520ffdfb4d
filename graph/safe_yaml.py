"""A YAML loader for files people send (proposals, monitoring figures): no aliases, no key given twice, bounded
nesting, and integers too long for Python (more than 4,300 digits) refused as errors with a line, never a crash."""

from __future__ import annotations

import yaml

MAX_DEPTH = 40  # nesting levels (the proposal and monitoring formats need five)


class StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, stricter for data people send us.

    Aliases (`*name`) are refused: a 362-byte file of nested aliases expands past any memory. A key given twice
    in one mapping is refused (YAML would keep the last silently), and so is nesting deeper than MAX_DEPTH.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted in a proposal: write the value out", mark
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"the data is nested more than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"this number cannot be read ({exc})", node.start_mark
            ) from exc


StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)
