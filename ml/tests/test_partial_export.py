"""A training run stopped early (a session's end) can never become the default model."""
import tempfile
import unittest
from pathlib import Path

import torch

import support  # noqa: F401
from pitml import archs, catalog
from pitml.export import main as export_main, train_provenance


def write_ckpt(path: Path, epoch: int, epochs: int, peers: int = 2, test_top1: float | None = None) -> None:
    model = archs.build("resnet20")
    args = {"arch": "resnet20", "epochs": epochs, "batch": 128, "lr": 0.1, "wd": 5e-4, "warmup_epochs": 2,
            "smoothing": 0.0, "seed": 1, "peers": peers, "kd_temp": 1.0}
    extra = {} if test_top1 is None else {"last": {"epoch": epoch, "test_top1": test_top1}}  # as pitml.train writes it
    torch.save({"model": model.state_dict(), "opt": {}, "epoch": epoch, "elapsed_s": 60.0 * epoch, "args": args, **extra}, path)


class PartialExportTest(unittest.TestCase):
    def test_partial_run_cannot_be_made_default_or_replace_it(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d)
            catalog.save({"schemaVersion": 1, "labelSets": {}, "default": "resnet20-pit", "models": []}, out / "catalog.json")
            ck = out / "r.ckpt"
            write_ckpt(ck, epoch=3, epochs=120)
            for extra in (["--make-default"], []):
                model_id = "other" if extra else "resnet20-pit"
                with self.assertRaisesRegex(SystemExit, r"partial run \(3 of 120 epochs\) cannot replace the default"):
                    export_main(["--arch", "resnet20", "--weights", str(ck), "--id", model_id, "--out", d, *extra])
            # --allow-partial never makes it the default either.
            with self.assertRaisesRegex(SystemExit, r"cannot replace the default model, with or without --allow-partial"):
                export_main(["--arch", "resnet20", "--weights", str(ck), "--id", "resnet20-pit", "--out", d, "--allow-partial"])
            # Under another id it needs the flag.
            with self.assertRaisesRegex(SystemExit, r"pass --allow-partial"):
                export_main(["--arch", "resnet20", "--weights", str(ck), "--id", "other", "--out", d])
            self.assertEqual(catalog.load(out / "catalog.json")["models"], [])
            self.assertFalse((out / "resnet20-pit.onnx").exists())

    def test_keep_previous_copies_the_replaced_model_first(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d)
            catalog.save({"schemaVersion": 1, "labelSets": {}, "default": None, "models": []}, out / "catalog.json")
            old, new = out / "old.ckpt", out / "new.ckpt"
            write_ckpt(old, epoch=120, epochs=120)
            torch.manual_seed(7)
            write_ckpt(new, epoch=120, epochs=120)
            export_main(["--arch", "resnet20", "--weights", str(old), "--id", "resnet20-pit", "--out", d, "--make-default"])
            cat = catalog.load(out / "catalog.json")
            cat["models"][0]["accuracy"] = {"top1": 67.83, "top5": 90.51}  # what npm run eval would have written
            catalog.save(cat, out / "catalog.json")
            before = cat["models"][0]
            old_bytes = (out / "resnet20-pit.onnx").read_bytes()
            export_main(["--arch", "resnet20", "--weights", str(new), "--id", "resnet20-pit", "--out", d, "--make-default",
                         "--keep-previous-as", "resnet20-pit-v1"])
            cat = catalog.load(out / "catalog.json")
            by_id = {m["id"]: m for m in cat["models"]}
            self.assertEqual(cat["default"], "resnet20-pit")
            kept = by_id["resnet20-pit-v1"]
            self.assertEqual((out / "resnet20-pit-v1.onnx").read_bytes(), old_bytes)
            self.assertEqual([kept["sha256"], kept["accuracy"], kept["file"]], [before["sha256"], before["accuracy"], "resnet20-pit-v1.onnx"])
            self.assertNotEqual(by_id["resnet20-pit"]["sha256"], before["sha256"])
            self.assertIsNone(by_id["resnet20-pit"]["accuracy"])  # new weights: npm run eval measures them
            # Refused, and nothing written: the id is taken now.
            with self.assertRaisesRegex(SystemExit, r"already has a model 'resnet20-pit-v1'"):
                export_main(["--arch", "resnet20", "--weights", str(new), "--id", "resnet20-pit", "--out", d,
                             "--keep-previous-as", "resnet20-pit-v1"])
            with self.assertRaisesRegex(SystemExit, r"no model 'nothing' to keep"):
                export_main(["--arch", "resnet20", "--weights", str(new), "--id", "nothing", "--out", d, "--keep-previous-as", "x"])
            self.assertEqual(len(catalog.load(out / "catalog.json")["models"]), 2)

    def test_a_worse_finished_run_does_not_replace_the_default(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d)
            default = {"id": "resnet20-pit", "file": "resnet20-pit.onnx", "trained": True, "accuracy": {"top1": 67.83, "top5": 90.51}}
            catalog.save({"schemaVersion": 1, "labelSets": {}, "default": "resnet20-pit", "models": [default]}, out / "catalog.json")
            worse = out / "worse.ckpt"
            write_ckpt(worse, epoch=120, epochs=120, test_top1=66.5)
            for args in (["--id", "resnet20-pit"], ["--id", "other", "--make-default"]):
                with self.assertRaisesRegex(SystemExit, r"test top-1 66.5 % \(pitml.train, epoch 120\) is below the default "
                                                        r"resnet20-pit's 67.83 % \(npm run eval\).*--allow-worse"):
                    export_main(["--arch", "resnet20", "--weights", str(worse), "--out", d, *args])
            self.assertEqual(catalog.load(out / "catalog.json")["models"], [default])  # nothing written
            self.assertFalse((out / "other.onnx").exists())
            # Under another id, not as the default, it exports: a faster or smaller model may be worth offering.
            export_main(["--arch", "resnet20", "--weights", str(worse), "--id", "other", "--out", d])
            self.assertEqual(catalog.load(out / "catalog.json")["default"], "resnet20-pit")

    def test_recipe_names_mutual_learning(self):
        prov = train_provenance({"epoch": 120, "elapsed_s": 60.0, "args": {"epochs": 120, "peers": 2, "kd_temp": 1.0}})
        self.assertIn("deep mutual learning with 2 peers", prov["recipe"])
        self.assertNotIn("epochsPlanned", prov)


if __name__ == "__main__":
    unittest.main()
