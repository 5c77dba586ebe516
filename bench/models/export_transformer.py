#!/usr/bin/python3
"""Exports two transformer models with random weights (torch seed 0, nothing
downloaded) to ONNX opset 17, for benchmarking Kiln against ONNX Runtime
(bench/compare_ort.py):

  bert_encoder.onnx  a BERT-style encoder: 4 post-LayerNorm blocks of
                     multi-head self-attention (d_model 256, 4 heads) and a GELU
                     feed-forward (1024); input x: float32 [1, 128, 256]
                     (embeddings), output y: float32 [1, 128, 256].
  gpt_decoder.onnx   a GPT-style decoder: token and position embeddings, 4
                     pre-LayerNorm blocks of causal self-attention (d_model 256,
                     4 heads) and a GELU MLP (1024), a final LayerNorm and an
                     LM head; input input_ids: int64 [1, 64] (vocabulary
                     1000), output logits: float32 [1, 64, 1000].

    bench/models/export_transformer.py [--out build/bench_models]

Needs Debian's python3-torch (apt-get install python3-torch) and python3-onnx.
"""

import argparse
import math
import os
import sys

import onnx
import torch
from torch import nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPSET = 17  # the newest opset the installed ONNX (1.12) checker knows


class SelfAttention(nn.Module):
    """Multi-head self-attention on [1, seq, d] with static shapes; `causal`
    adds a constant upper-triangular -inf mask before the softmax."""

    def __init__(self, d, heads, seq, causal):
        super().__init__()
        self.heads, self.dh, self.seq, self.d = heads, d // heads, seq, d
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        mask = torch.triu(torch.full((seq, seq), float("-inf")), diagonal=1) if causal else None
        self.register_buffer("mask", mask)

    def forward(self, x):
        q, k, v = self.qkv(x).split(self.d, dim=-1)
        shape = (1, self.seq, self.heads, self.dh)
        q = q.reshape(shape).transpose(1, 2)
        k = k.reshape(shape).transpose(1, 2)
        v = v.reshape(shape).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(self.dh))
        if self.mask is not None:
            scores = scores + self.mask
        y = torch.matmul(torch.softmax(scores, dim=-1), v)
        return self.proj(y.transpose(1, 2).reshape(1, self.seq, self.d))


class FeedForward(nn.Sequential):
    def __init__(self, d, ff):
        super().__init__(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))


class BertBlock(nn.Module):
    def __init__(self, d, heads, ff, seq):
        super().__init__()
        self.attn, self.ln1 = SelfAttention(d, heads, seq, causal=False), nn.LayerNorm(d)
        self.ff, self.ln2 = FeedForward(d, ff), nn.LayerNorm(d)

    def forward(self, x):
        x = self.ln1(x + self.attn(x))
        return self.ln2(x + self.ff(x))


class BertEncoder(nn.Module):
    def __init__(self, layers=4, d=256, heads=4, ff=1024, seq=128):
        super().__init__()
        self.blocks = nn.Sequential(*[BertBlock(d, heads, ff, seq) for _ in range(layers)])

    def forward(self, x):
        return self.blocks(x)


class GptBlock(nn.Module):
    def __init__(self, d, heads, ff, seq):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(d), SelfAttention(d, heads, seq, causal=True)
        self.ln2, self.mlp = nn.LayerNorm(d), FeedForward(d, ff)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GptDecoder(nn.Module):
    def __init__(self, layers=4, d=256, heads=4, ff=1024, seq=64, vocab=1000):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Parameter(torch.randn(1, seq, d) * 0.02)
        self.blocks = nn.Sequential(*[GptBlock(d, heads, ff, seq) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, input_ids):
        return self.head(self.ln(self.blocks(self.wte(input_ids) + self.wpe)))


# name -> (module factory, example input, input name, output name)
MODELS = {
    "bert_encoder": (BertEncoder, lambda: torch.randn(1, 128, 256), "x", "y"),
    "gpt_decoder": (GptDecoder, lambda: torch.randint(0, 1000, (1, 64), dtype=torch.int64), "input_ids", "logits"),
}


def export(name, out_dir):
    factory, example, input_name, output_name = MODELS[name]
    torch.manual_seed(0)
    model = factory().eval()
    path = os.path.join(out_dir, f"{name}.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (example(),), path, input_names=[input_name], output_names=[output_name],
                          opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench_models"))
    ap.add_argument("--only", choices=sorted(MODELS), help="export only this model")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in sorted(MODELS):
        if args.only and name != args.only:
            continue
        print(export(name, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
