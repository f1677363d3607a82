"""Train a CIFAR-100 classifier on the official 50k training images.

Recipe (written down so the result can be reproduced):
- data: random 32x32 crop from the 4-pixel zero-padded image, horizontal flip p=0.5,
  normalised with the zoo's mean/std;
- SGD, Nesterov momentum 0.9, batch 128, weight decay 5e-4 (not on BN/bias),
  peak LR 0.1 after a 2-epoch linear warm-up, then cosine decay to 0 (per step);
- cross-entropy with label smoothing 0.1;
- optional deep mutual learning (`--peers K`, Zhang et al. 2018): K copies of the
  architecture train side by side; each one's loss adds the mean KL divergence from the
  other peers' (detached) softmax at temperature T, times T^2. Peer 0 is the one
  exported (chosen before training, never by test accuracy);
- optional AugMix fine-tuning (`--augmix-jsd L`, Hendrycks et al. 2020): each batch is
  seen clean and as two AugMix views (`pitml.augmix`); the loss is cross-entropy on the
  clean view plus L times the Jensen-Shannon divergence of the three predictions. With
  `--init CKPT` training starts from another run's peer-0 weights (fine-tuning), not at
  random;
- deterministic: seed S; the shuffle and augmentation of epoch e use seed S+e, so a
  resumed run continues exactly as an uninterrupted one would.

Resumable: a checkpoint (model, optimiser, epoch, log) is written atomically after
every epoch to <out>/<arch>.ckpt; rerunning the same command resumes from it.
Per-epoch log lines (JSON) go to stdout and <out>/<arch>.log.jsonl.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import archs, augmix
from .data import MEAN, STD, read_split


def normalise(x_u8: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(MEAN).view(1, 3, 1, 1) * 255
    std = torch.tensor(STD).view(1, 3, 1, 1) * 255
    return ((x_u8.float() - mean) / std).contiguous(memory_format=torch.channels_last)


def augment(padded: torch.Tensor, idx: np.ndarray, rng: np.random.Generator) -> torch.Tensor:
    """Random crop (from 40x40 padded) + horizontal flip for the batch `idx`."""
    n = len(idx)
    ox = rng.integers(0, 9, n)
    oy = rng.integers(0, 9, n)
    flip = rng.random(n) < 0.5
    out = torch.empty((n, 3, 32, 32), dtype=torch.uint8)
    for j, i in enumerate(idx):
        crop = padded[i, :, oy[j]:oy[j] + 32, ox[j]:ox[j] + 32]
        out[j] = crop.flip(2) if flip[j] else crop
    return out


@torch.no_grad()
def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch: int = 500):
    model.eval()
    top1 = top5 = 0
    for s in range(0, len(images), batch):
        logits = model(normalise(images[s:s + batch]))
        t5 = logits.topk(5, 1).indices
        y = labels[s:s + batch]
        top1 += (t5[:, 0] == y).sum().item()
        top5 += (t5 == y[:, None]).any(1).sum().item()
    return 100.0 * top1 / len(images), 100.0 * top5 / len(images)


def mutual_kl(logits: torch.Tensor, peers: list[torch.Tensor], temp: float) -> torch.Tensor:
    """Mean over peers of KL(peer || this) on temperature-softened outputs, scaled by T^2."""
    logp = torch.log_softmax(logits / temp, 1)
    kl = sum(nn.functional.kl_div(logp, torch.log_softmax(q.detach() / temp, 1), log_target=True,
                                  reduction="batchmean") for q in peers)
    return kl / len(peers) * temp * temp


def lr_at(step: int, total: int, warm: int, peak: float) -> float:
    if step < warm:
        return peak * (step + 1) / warm
    return 0.5 * peak * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", default="resnet20")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--wd", type=float, default=5e-4)
    p.add_argument("--smoothing", type=float, default=0.1)
    p.add_argument("--warmup-epochs", type=float, default=2)
    p.add_argument("--seed", type=int, default=20231)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--out", default="ml/runs")
    p.add_argument("--eval-every", type=int, default=5)
    p.add_argument("--limit", type=int, default=None, help="use only the first N training images (smoke tests)")
    p.add_argument("--peers", type=int, default=1, help="deep mutual learning with K peers (1: plain training)")
    p.add_argument("--kd-temp", type=float, default=1.0, help="temperature of the mutual-learning KL term")
    p.add_argument("--augmix-jsd", type=float, default=0.0,
                   help="AugMix with a Jensen-Shannon consistency loss of this weight (0: off; the paper uses 12)")
    p.add_argument("--aug-severity", type=float, default=3.0, help="AugMix operation severity (1..10)")
    p.add_argument("--init", default=None, help="start from this checkpoint's peer-0 weights (.ckpt or .pt)")
    p.add_argument("--name", default=None, help="run name for the checkpoint and log files (default: the arch)")
    a = p.parse_args(argv)

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    name = a.name or a.arch
    ckpt_path = out / f"{name}.ckpt"
    log_path = out / f"{name}.log.jsonl"

    train = read_split("train", limit=a.limit)
    test = read_split("test")
    padded = torch.nn.functional.pad(torch.from_numpy(train.images), (4, 4, 4, 4))
    y_train = torch.from_numpy(train.fine)
    x_test, y_test = torch.from_numpy(test.images), torch.from_numpy(test.fine)

    models, opts = [], []
    for k in range(a.peers):
        torch.manual_seed(a.seed + 1000 * k)
        m = archs.build(a.arch).to(memory_format=torch.channels_last)
        decay = [p_ for n, p_ in m.named_parameters() if p_.ndim > 1]
        no_decay = [p_ for n, p_ in m.named_parameters() if p_.ndim <= 1]
        opts.append(torch.optim.SGD([{"params": decay, "weight_decay": a.wd}, {"params": no_decay, "weight_decay": 0}],
                                    lr=a.lr, momentum=0.9, nesterov=True))
        models.append(m)
    model = models[0]
    if a.init:
        init = torch.load(a.init)
        init = init.get("model", init) if isinstance(init, dict) and "model" in init else init
        for m in models:
            m.load_state_dict(init)
        print(f"initialised from {a.init}", flush=True)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=a.smoothing)

    start_epoch, elapsed = 0, 0.0
    if ckpt_path.exists():
        ck = torch.load(ckpt_path)
        same = all(ck["args"].get(k, d) == getattr(a, k) for k, d in
                   (("arch", None), ("epochs", None), ("peers", 1), ("kd_temp", 1.0), ("smoothing", 0.1),
                    ("augmix_jsd", 0.0), ("aug_severity", 3.0), ("init", None), ("lr", 0.1)))
        if not same:
            raise SystemExit(f"{ckpt_path} was written by a different run ({ck['args']}); move it away first")
        states = ck["models"] if "models" in ck else [ck["model"]]
        opt_states = ck["opts"] if "opts" in ck else [ck["opt"]]
        for m, o, ms, os_ in zip(models, opts, states, opt_states):
            m.load_state_dict(ms)
            o.load_state_dict(os_)
        start_epoch, elapsed = ck["epoch"], ck["elapsed_s"]
        print(f"resuming {name} at epoch {start_epoch}/{a.epochs}", flush=True)

    n = len(y_train)
    steps_per_epoch = n // a.batch  # drop the ragged last batch: keeps BN statistics sane
    total = steps_per_epoch * a.epochs
    warm = int(a.warmup_epochs * steps_per_epoch)
    for epoch in range(start_epoch, a.epochs):
        t0 = time.time()
        for m in models:
            m.train()
        rng = np.random.default_rng(a.seed + epoch)
        torch.manual_seed(a.seed + epoch)
        gen = torch.Generator().manual_seed(a.seed + epoch)
        order = rng.permutation(n)
        loss_sum = correct = seen = 0
        for s in range(steps_per_epoch):
            step = epoch * steps_per_epoch + s
            lr = lr_at(step, total, warm, a.lr)
            for o in opts:
                for g in o.param_groups:
                    g["lr"] = lr
            idx = order[s * a.batch:(s + 1) * a.batch]
            x_u8 = augment(padded, idx, rng)
            y = y_train[idx]
            if a.augmix_jsd > 0:
                xf = x_u8.float()
                views = torch.cat([xf, augmix.augmix(xf, gen, a.aug_severity), augmix.augmix(xf, gen, a.aug_severity)])
                x = normalise(views)
            else:
                x = normalise(x_u8)
            logits_all = [m(x) for m in models]
            logits = [la[:len(idx)] for la in logits_all]
            for k, (o, lk) in enumerate(zip(opts, logits)):
                loss = loss_fn(lk, y)
                if a.augmix_jsd > 0:
                    la = logits_all[k]
                    loss = loss + a.augmix_jsd * augmix.jsd(la[:len(idx)], la[len(idx):2 * len(idx)], la[2 * len(idx):])
                if a.peers > 1:
                    loss = loss + mutual_kl(lk, [lj for j, lj in enumerate(logits) if j != k], a.kd_temp)
                o.zero_grad(set_to_none=True)
                loss.backward()
                o.step()
                if k == 0:
                    loss_sum += loss.item() * len(idx)
                    correct += (lk.argmax(1) == y).sum().item()
            seen += len(idx)
        elapsed += time.time() - t0
        rec = {"epoch": epoch + 1, "epochs": a.epochs, "loss": round(loss_sum / seen, 4),
               "train_top1": round(100 * correct / seen, 2), "lr": round(opts[0].param_groups[0]["lr"], 5),
               "epoch_s": round(time.time() - t0, 1), "elapsed_min": round(elapsed / 60, 1)}
        last = epoch + 1 == a.epochs
        if last or (epoch + 1) % a.eval_every == 0:
            rec["test_top1"], rec["test_top5"] = (round(v, 2) for v in evaluate(model, x_test, y_test))
            if a.peers > 1:
                rec["peers_test_top1"] = [rec["test_top1"]] + [round(evaluate(m, x_test, y_test)[0], 2) for m in models[1:]]
        print(json.dumps(rec), flush=True)
        with log_path.open("a") as f:
            f.write(json.dumps(rec) + "\n")
        tmp = ckpt_path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "opt": opts[0].state_dict(), "epoch": epoch + 1,
                    "models": [m.state_dict() for m in models], "opts": [o.state_dict() for o in opts],
                    "elapsed_s": elapsed, "args": vars(a), "last": rec}, tmp)
        os.replace(tmp, ckpt_path)
    final = out / f"{name}.pt"
    torch.save(model.state_dict(), final)
    print(f"done: {final} after {a.epochs} epochs, {elapsed / 60:.1f} min of training", flush=True)


if __name__ == "__main__":
    main()
