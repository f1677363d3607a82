"""Shared test setup: one torch thread (the machine's cores belong to training runs)."""
import torch

torch.set_num_threads(1)
