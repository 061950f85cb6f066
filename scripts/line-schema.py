#!/usr/bin/env python3
"""Extracts LINE's message schemas from the official OpenAPI spec into the JSON that
src/domain/line_schema.rs embeds at build time.

    python3 scripts/line-schema.py path/to/line-openapi/messaging-api.yml

Writes src/domain/line_schema/messaging-api.schemas.json: the `components.schemas` that
`Message` reaches (messages, flex components, actions), unchanged, and the keyword enums of
flex sizes and spacings. Turning the OpenAPI
discriminators into JSON Schema conditionals happens in Rust, where it is tested.
"""
import json
import sys

import yaml

spec = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
schemas = spec["components"]["schemas"]
PREFIX = "#/components/schemas/"


def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and v.startswith(PREFIX) and k in ("$ref", "mapping") or (
                isinstance(v, str) and v.startswith(PREFIX)
            ):
                out.add(v[len(PREFIX):])
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


# The keyword enums the components do not reference (their properties are plain strings
# that also take pixels or percentages); the limits beside the schema check them.
KEYWORDS = [
    "FlexBoxSpacing", "FlexMargin", "FlexBoxPadding", "FlexBoxCornerRadius",
    "FlexBoxBorderWidth", "FlexImageSize", "FlexIconSize", "FlexTextFontSize",
    "FlexSpanSize", "FlexOffset",
]
seen, todo = set(), ["Message"]
while todo:
    name = todo.pop()
    if name in seen:
        continue
    seen.add(name)
    found = set()
    refs(schemas[name], found)
    todo.extend(found - seen)

out = {
    "source": "line/line-openapi messaging-api.yml @ 6e4c2a2a1b7b059ea3920456d4f88d03fd8ef0bb",
    "schemas": {name: schemas[name] for name in sorted(seen)},
    "keywords": {name: schemas[name]["enum"] for name in KEYWORDS},
}
with open("src/domain/line_schema/messaging-api.schemas.json", "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1, sort_keys=True)
    f.write("\n")
print(len(seen), "schemas")
