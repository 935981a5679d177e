"""Recovers TensorFlow Lite's FlatBuffers schema from the Python that flatc generated from it.

Usage: python3 recover_tflite_schema.py schema_py_generated.py > tflite.fbs

No package on PyPI ships TFLite's schema.fbs; LiteRT's wheel (ai-edge-litert) ships the Python
module flatc generated from it. That module states everything a verifier needs, in a regular
form this script reads with `ast` (it never imports or runs it):
  - `XStart(builder): builder.StartObject(N)`: table X has N vtable slots;
  - `XAddF(builder, f): builder.Prepend<Type>Slot(slot, f, default)`: field F's slot, scalar type
    and default (slots no function writes are deprecated fields);
  - the accessor reading the slot's vtable offset (4 + 2 * slot) tells what an offset field points
    to: `String` (string), `Vector` (vector; element type from `Get(<Type>Flags, ...)`, or a table
    `obj = T()` behind `Indirect`, or strings), `Indirect` (a table `obj = T()`), `Union`;
  - `class U` with integer members plus `def UCreator`: union U, members named after tables;
  - `BufferHasIdentifier(..., b"TFL3")`: the file identifier.
Enum-typed fields are written with their integer type (the wire format and the verifier are the
same); a union field stands for its `_type` slot and its value slot, as in the original schema.
The output is deterministic (tables and unions in the module's order).
"""

import ast
import re
import sys

SCALARS = {
    "Bool": "bool", "Byte": "byte", "Uint8": "ubyte", "Int8": "byte", "Uint16": "ushort",
    "Int16": "short", "Uint32": "uint", "Int32": "int", "Uint64": "ulong", "Int64": "long",
    "Float32": "float", "Float64": "double",
}


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def source(node):
    return ast.unparse(node)


def main(path):
    tree = ast.parse(open(path).read())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    unions = []
    for name, cls in classes.items():
        if f"{name}Creator" in functions:
            members = [(t.targets[0].id, t.value.value) for t in cls.body
                       if isinstance(t, ast.Assign) and isinstance(t.value, ast.Constant)]
            unions.append((name, members))
    union_names = {u for u, _ in unions}

    tables = []
    for name, cls in classes.items():
        start = functions.get(f"{name}Start")
        if start is None or name.endswith("T"):
            continue
        slots = start.body[0].value.args[0].value
        fields = {}
        for fname, fn in functions.items():
            if not fname.startswith(f"{name}Add") or fname == f"{name}Start":
                continue
            call = fn.body[0].value
            method = call.func.attr
            m = re.fullmatch(r"Prepend(\w+?)Slot", method)
            if not m:
                raise SystemExit(f"{fname}: unexpected builder call {method}")
            slot = call.args[0].value
            field = fname[len(f"{name}Add"):]
            # A table named X also has functions XAddY for its own fields only if Y is a field:
            # guard against a table whose name prefixes another's (e.g. Tensor / TensorMap).
            if any(other != name and other.startswith(name) and fname.startswith(f"{other}Add")
                   for other in classes):
                continue
            fields[slot] = (snake(field), m.group(1), call.args[2], field)
        accessors = {}
        for fn in cls.body:
            if isinstance(fn, ast.FunctionDef):
                text = source(fn)
                m = re.search(r"self\._tab\.Offset\((\d+)\)", text)
                if m:
                    accessors.setdefault((int(m.group(1)) - 4) // 2, []).append((fn.name, text))
        lines = []
        slot = 0
        while slot < slots:
            if slot not in fields:
                lines.append(f"  deprecated_slot_{slot}: int (deprecated);")
                slot += 1
                continue
            fname, kind, default, camel = fields[slot]
            if kind in SCALARS:
                value = ast.literal_eval(default)
                if kind == "Bool":
                    value = "true" if value else "false"
                # The `_type` slot of a union is declared by the union field after it.
                nxt = fields.get(slot + 1)
                if kind == "Uint8" and nxt and nxt[1] == "UOffsetTRelative" and fname == nxt[0] + "_type" \
                        and any("_tab.Union(" in t for _, t in accessors.get(slot + 1, [])):
                    slot += 1
                    continue
                lines.append(f"  {fname}: {SCALARS[kind]} = {value};")
                slot += 1
                continue
            if kind != "UOffsetTRelative":
                raise SystemExit(f"{name}.{fname}: unexpected slot kind {kind}")
            texts = [t for _, t in accessors.get(slot, [])]
            main_text = next((t for n, t in accessors.get(slot, []) if n == camel), texts[0] if texts else "")
            if "_tab.Union(" in main_text:
                union = next(u for u in union_names if f"{u}Creator" in source(classes[f"{name}T"]) and
                             re.search(rf"{u}Creator\(self\.{camel[0].lower() + camel[1:]}Type", source(classes[f"{name}T"])))
                lines.append(f"  {fname}: {union};")
            elif "_tab.Vector(" in main_text:
                obj = re.search(r"obj = (\w+)\(\)", main_text)
                flags = re.search(r"number_types\.(\w+)Flags, a \+", main_text)
                if obj:
                    lines.append(f"  {fname}: [{obj.group(1)}];")
                elif "_tab.String(a" in main_text:
                    lines.append(f"  {fname}: [string];")
                elif flags:
                    lines.append(f"  {fname}: [{SCALARS[flags.group(1)]}];")
                else:
                    raise SystemExit(f"{name}.{fname}: unrecognised vector accessor")
            elif "_tab.String(" in main_text:
                lines.append(f"  {fname}: string;")
            elif "_tab.Indirect(" in main_text:
                obj = re.search(r"obj = (\w+)\(\)", main_text)
                lines.append(f"  {fname}: {obj.group(1)};")
            else:
                raise SystemExit(f"{name}.{fname}: unrecognised offset accessor")
            slot += 1
        tables.append((name, lines))

    identifier = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "BufferHasIdentifier":
            identifier = ast.literal_eval(node.args[2]).decode()
            break

    out = ["// TensorFlow Lite schema recovered by recover_tflite_schema.py; see its docstring.",
           "namespace tflite;", ""]
    for name, members in unions:
        names = [m for m, v in sorted(members, key=lambda kv: kv[1]) if m != "NONE"]
        values = [v for m, v in sorted(members, key=lambda kv: kv[1]) if m != "NONE"]
        if values != list(range(1, len(values) + 1)):
            body = ", ".join(f"{m} = {v}" for m, v in sorted(members, key=lambda kv: kv[1]) if m != "NONE")
        else:
            body = ", ".join(names)
        out.append(f"union {name} {{ {body} }}")
    out.append("")
    for name, lines in tables:
        out.append(f"table {name} {{")
        out.extend(lines)
        out.append("}")
        out.append("")
    out.append("root_type Model;")
    out.append(f'file_identifier "{identifier}";')
    out.append('file_extension "tflite";')
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
