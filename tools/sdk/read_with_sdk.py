"""Read an artifact folder with the real wandb SDK's own `from_json` readers.

Usage: python tools/sdk/read_with_sdk.py <version dir> [<linked version dir> ...] -- <name> ...

`Artifact.get` needs a logged artifact (a server), so this gives the SDK a
stand-in with the few methods its readers call (`get`, `get_entry(..).download()`,
`manifest.entries`, `manifest.get_entries_in_directory`), resolving
`wandb-artifact://<hex id>/<path>` references through the linked folders by the
id in their `loupe-artifact.json`. Prints, as JSON, what the SDK made of each
named object, for loupe-core's tests to compare with what Loupe wrote.
"""
import base64
import datetime
import json
import os
import sys

os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("WANDB_SILENT", "true")

import wandb  # noqa: E402
from wandb.sdk.data_types import _dtypes  # noqa: E402

CLASSES = {
    "table": wandb.Table,
    "joined-table": wandb.JoinedTable,
    "partitioned-table": wandb.data_types.PartitionedTable,
    "image-file": wandb.Image,
    "classes": wandb.Classes,
    "audio-file": wandb.Audio,
    "html-file": wandb.Html,
    "video-file": wandb.Video,
    "object3D-file": wandb.Object3D,
}


class Entry:
    def __init__(self, folder, path, raw):
        self.folder, self.path, self.raw = folder, path, raw
        self.ref = raw.get("ref")
        self.digest = raw["digest"]

    def download(self, root=None):
        if self.ref:
            hex_id, inner = self.ref[len("wandb-artifact://"):].split("/", 1)
            return self.folder.linked[hex_id].get_entry(inner).download()
        return os.path.join(self.folder.dir, self.path)


class Manifest:
    def __init__(self, folder, contents):
        self.entries = {p: Entry(folder, p, e) for p, e in contents.items()}

    def get_entries_in_directory(self, directory):
        prefix = directory.rstrip("/") + "/"
        return [e for p, e in self.entries.items() if p.startswith(prefix)]


class StandInArtifact:
    """Just enough of `wandb.Artifact` for the SDK's `from_json` readers."""

    aliases = []

    def __init__(self, directory, linked=()):
        self.dir = directory
        with open(os.path.join(directory, "wandb_manifest.json")) as f:
            self.manifest = Manifest(self, json.load(f)["contents"])
        self._manifest = self.manifest
        self.linked = {}
        for other in linked:
            with open(os.path.join(other.dir, "loupe-artifact.json")) as f:
                art_id = json.load(f).get("id")
            if art_id:
                self.linked[base64.b64decode(art_id).hex()] = other

    def get_entry(self, name):
        return self.manifest.entries[name]

    def get(self, name):
        for suffix in [""] + [f".{t}.json" for t in CLASSES]:
            path = name if suffix == "" and name.endswith(".json") else name + suffix
            if path in self.manifest.entries:
                with open(self.get_entry(path).download()) as f:
                    obj = json.load(f)
                return CLASSES[obj["_type"]].from_json(obj, self)
        raise KeyError(name)


def describe(value):
    """A JSON summary of what the SDK object holds."""
    if isinstance(value, wandb.Table):
        return {"columns": value.columns, "data": [[describe(c) for c in row] for row in value.data]}
    if isinstance(value, wandb.Image):
        image = value.image
        boxes = {k: len(b._val) for k, b in (value._boxes or {}).items()}
        classes = [[c["id"], c["name"]] for c in value._classes._class_set] if value._classes else None
        return {"image": [image.size[0], image.size[1], image.mode], "caption": value._caption,
                "boxes": boxes, "mask_layers": sorted((value._masks or {}).keys()), "classes": classes}
    if isinstance(value, wandb.JoinedTable):
        return {"join_key": value._join_key, "table1": describe(value._table1), "table2": describe(value._table2)}
    if isinstance(value, wandb.data_types.PartitionedTable):
        return {"rows": [describe(row) for _, row in value.iterrows()]}
    if isinstance(value, wandb.Audio):
        return {"audio": os.path.getsize(value._path), "caption": value._caption}
    if isinstance(value, wandb.Classes):
        return {"classes": [[c["id"], c["name"]] for c in value._class_set]}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return str(value)
    return value


def main(argv):
    split = argv.index("--")
    dirs, names = argv[:split], argv[split + 1:]
    linked = [StandInArtifact(d) for d in dirs[1:]]
    art = StandInArtifact(dirs[0], linked)
    print(json.dumps({name: describe(art.get(name)) for name in names}, sort_keys=True))


if __name__ == "__main__":
    _dtypes  # the readers register their types on import
    main(sys.argv[1:])
