"""`bakegen graph`: the target dependency graph as Mermaid or Graphviz dot."""

from __future__ import annotations

from bakegen.pipeline import Compiled
from bakegen.templating import plain


def edges(compiled: Compiled) -> list[tuple[str, str, str]]:
    """(dependency, consumer, context name) for every `target:` context, in target order."""
    out = []
    for target in compiled.resolution.targets:
        for name, value in target.contexts:
            ref = plain(value)
            if ref.startswith("target:"):
                out.append((ref.removeprefix("target:"), target.name, name))
    return out


def _node_id(name: str) -> str:
    # Mermaid ids may not contain '-' everywhere its parser expects a word.
    return "n_" + name.replace("-", "_")


def mermaid(compiled: Compiled) -> str:
    lines = ["flowchart LR"]
    for target in compiled.resolution.targets:
        shape = f'[("{target.name}")]' if target.kind == "shared" else f'["{target.name}"]'
        lines.append(f"  {_node_id(target.name)}{shape}")
    for dep, consumer, context in edges(compiled):
        lines.append(f"  {_node_id(dep)} -->|{context}| {_node_id(consumer)}")
    return "\n".join(lines) + "\n"


def dot(compiled: Compiled) -> str:
    lines = ["digraph bake {", "  rankdir=LR;", "  node [shape=box];"]
    for target in compiled.resolution.targets:
        style = " [shape=cylinder]" if target.kind == "shared" else ""
        lines.append(f'  "{target.name}"{style};')
    for dep, consumer, context in edges(compiled):
        lines.append(f'  "{dep}" -> "{consumer}" [label="{context}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
