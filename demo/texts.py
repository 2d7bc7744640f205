"""The demo's contract language: one Markdown file per version, in the package's texts/ folder."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib.resources import files


class ContractTexts(Mapping[str, str]):
    """The texts by name (the file name without `.md`), read when the story asks for them."""

    def __init__(self) -> None:
        self._folder = files("demo") / "texts"

    def __getitem__(self, name: str) -> str:
        entry = self._folder / f"{name}.md"
        if not entry.is_file():
            raise KeyError(name)
        # Each file ends with one newline that is not part of the text.
        return entry.read_text(encoding="utf-8").removesuffix("\n")

    def __iter__(self) -> Iterator[str]:
        for entry in self._folder.iterdir():
            if entry.name.endswith(".md"):
                yield entry.name.removesuffix(".md")

    def __len__(self) -> int:
        return sum(1 for _ in self)


TEXTS = ContractTexts()
