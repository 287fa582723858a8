#!/usr/bin/env python3
"""The seven benchmark workloads of bench/workloads.hpp in PyTorch, for bench/compare.sh.

Same shapes, same architectures, same optimiser (Adam, lr 1e-3), float32, one step = forward +
backward + update, cross-entropy over every target position, random ids, no padding, no dropout
but in B6 (chapter 6's default step: 0.1). Written as a PyTorch user would: nn.GRU / nn.LSTM for
whole sequences, nn.GRUCell / nn.LSTMCell where a decoder needs its state step by step,
nn.MultiheadAttention and nn.Transformer*Layer for B5 and B6.
    torch_bench.py --threads 1 --steps 20 [--json FILE]     (Debian: apt-get install python3-torch)
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def random_ids(rows, length, vocabulary, generator):
    return torch.randint(4, vocabulary, (rows, length), generator=generator)


def seq2seq_batch(B, S, T, V, generator):
    source = random_ids(B, S, V, generator)
    target = random_ids(B, T, V, generator)
    target_in = torch.cat([torch.full((B, 1), 2), target[:, :-1]], dim=1)  # <bos> y_1 .. y_{T-1}
    return source, target_in, target


class Seq2Seq(nn.Module):  # B1
    def __init__(self, V, E, H):
        super().__init__()
        self.source_embedding, self.target_embedding = nn.Embedding(V, E), nn.Embedding(V, E)
        self.encoder, self.decoder = nn.GRU(E, H, batch_first=True), nn.GRU(E, H, batch_first=True)
        self.output = nn.Linear(H, V)

    def forward(self, source, target_in):
        _, final = self.encoder(self.source_embedding(source))
        s, _ = self.decoder(self.target_embedding(target_in), final)
        return self.output(s)


class Bahdanau(nn.Module):  # B2
    def __init__(self, V, E, H, A):
        super().__init__()
        self.source_embedding, self.target_embedding = nn.Embedding(V, E), nn.Embedding(V, E)
        self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=True)
        self.W_s = nn.Linear(H, H)
        self.W_a, self.U_a = nn.Linear(H, A, bias=False), nn.Linear(2 * H, A, bias=False)
        self.v_a = nn.Parameter(torch.empty(A).uniform_(-0.1, 0.1))
        self.decoder = nn.GRUCell(E + 2 * H, H)
        self.output = nn.Linear(3 * H, V)

    def forward(self, source, target_in):
        h, final = self.encoder(self.source_embedding(source))          # (B, S, 2H)
        U_a_h = self.U_a(h)                                               # (B, S, A)
        s = torch.tanh(self.W_s(final[1]))                                # s_0 from <-h_1
        Y = self.target_embedding(target_in)
        states = []
        for t in range(Y.shape[1]):
            e = torch.tanh(self.W_a(s).unsqueeze(1) + U_a_h) @ self.v_a  # (B, S)
            alpha = torch.softmax(e, dim=-1)
            c = torch.bmm(alpha.unsqueeze(1), h).squeeze(1)               # (B, 2H)
            s = self.decoder(torch.cat([Y[:, t], c], dim=1), s)
            states.append(torch.cat([s, c], dim=1))
        return self.output(torch.stack(states, dim=1))


class Luong(nn.Module):  # B3
    def __init__(self, V, E, H):
        super().__init__()
        self.source_embedding, self.target_embedding = nn.Embedding(V, E), nn.Embedding(V, E)
        self.encoder = nn.LSTM(E, H, batch_first=True)
        self.W_a = nn.Linear(H, H, bias=False)
        self.decoder = nn.LSTMCell(E + H, H)
        self.W_c = nn.Linear(2 * H, H, bias=False)
        self.W_s = nn.Linear(H, V)

    def forward(self, source, target_in):
        hbar, (h, c) = self.encoder(self.source_embedding(source))
        keys = self.W_a(hbar)                                             # W_a hbar_s: (B, S, H)
        h, c = h[0], c[0]
        Y = self.target_embedding(target_in)
        h_tilde = torch.zeros_like(h)
        outputs = []
        for t in range(Y.shape[1]):
            h, c = self.decoder(torch.cat([Y[:, t], h_tilde], dim=1), (h, c))
            a = torch.softmax(torch.bmm(keys, h.unsqueeze(2)).squeeze(2), dim=-1)
            context = torch.bmm(a.unsqueeze(1), hbar).squeeze(1)
            h_tilde = torch.tanh(self.W_c(torch.cat([context, h], dim=1)))
            outputs.append(h_tilde)
        return self.W_s(torch.stack(outputs, dim=1))


class ContextAttention(nn.Module):
    def __init__(self, D, A):
        super().__init__()
        self.W = nn.Linear(D, A)
        self.u = nn.Parameter(torch.empty(A, 1).uniform_(-0.1, 0.1))

    def forward(self, h):
        alpha = torch.softmax((torch.tanh(self.W(h)) @ self.u).squeeze(-1), dim=-1)  # (N, T)
        return torch.bmm(alpha.unsqueeze(1), h).squeeze(1)


class Han(nn.Module):  # B4
    def __init__(self, V, E, H, A, C):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.word_encoder = nn.GRU(E, H, batch_first=True, bidirectional=True)
        self.word_attention = ContextAttention(2 * H, A)
        self.sentence_encoder = nn.GRU(2 * H, H, batch_first=True, bidirectional=True)
        self.sentence_attention = ContextAttention(2 * H, A)
        self.classifier = nn.Linear(2 * H, C)

    def forward(self, words):  # (B, S, W)
        B, S, W = words.shape
        h, _ = self.word_encoder(self.embedding(words.reshape(B * S, W)))
        s = self.word_attention(h).reshape(B, S, -1)
        h_i, _ = self.sentence_encoder(s)
        return self.classifier(self.sentence_attention(h_i))


def sinusoidal(length, dim):
    position = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    pair = torch.arange(dim) - torch.arange(dim) % 2
    angle = position / torch.pow(10000.0, pair.double() / dim)
    pe = torch.where(torch.arange(dim) % 2 == 0, torch.sin(angle), torch.cos(angle))
    return pe.float()


class Transformer(nn.Module):  # B5
    def __init__(self, V, D, heads, F_, layers):
        super().__init__()
        self.D = D
        self.source_embedding, self.target_embedding = nn.Embedding(V, D), nn.Embedding(V, D)
        self.encoder = nn.ModuleList([nn.TransformerEncoderLayer(D, heads, F_, dropout=0.0, batch_first=True) for _ in range(layers)])
        self.decoder = nn.ModuleList([nn.TransformerDecoderLayer(D, heads, F_, dropout=0.0, batch_first=True) for _ in range(layers)])
        self.output = nn.Linear(D, V)
        self.register_buffer("pe", sinusoidal(512, D))

    def forward(self, source, target_in):
        scale = math.sqrt(self.D)
        x = self.source_embedding(source) * scale + self.pe[: source.shape[1]]
        for layer in self.encoder:
            x = layer(x)
        T = target_in.shape[1]
        causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        y = self.target_embedding(target_in) * scale + self.pe[:T]
        for layer in self.decoder:
            y = layer(y, x, tgt_mask=causal)
        return self.output(y)


class Bert(nn.Module):  # B6: chapter 6's default pretraining model, masked LM + next-sentence prediction
    def __init__(self, V, D, heads, F_, layers, max_positions, dropout):
        super().__init__()
        self.token, self.segment, self.position = nn.Embedding(V, D, padding_idx=0), nn.Embedding(2, D), nn.Embedding(max_positions, D)
        self.norm, self.drop = nn.LayerNorm(D, eps=1e-12), nn.Dropout(dropout)
        self.layers = nn.ModuleList([nn.TransformerEncoderLayer(D, heads, F_, dropout=dropout, activation="gelu", batch_first=True)
                                     for _ in range(layers)])
        self.transform, self.head_norm = nn.Linear(D, D), nn.LayerNorm(D, eps=1e-12)
        self.bias = nn.Parameter(torch.zeros(V))
        self.pooler, self.nsp = nn.Linear(D, D), nn.Linear(D, 2)

    def forward(self, tokens, segments, chosen):
        B, T = tokens.shape
        x = self.drop(self.norm(self.token(tokens) + self.segment(segments) + self.position(torch.arange(T))))
        for layer in self.layers:
            x = layer(x)
        z = self.head_norm(F.gelu(self.transform(x.reshape(B * T, -1)[chosen])))
        mlm = F.linear(z, self.token.weight, self.bias)  # tied to the token embeddings
        return mlm, self.nsp(torch.tanh(self.pooler(x[:, 0])))


class Afm(nn.Module):  # B7: chapter 7's attentional factorization machine
    def __init__(self, n, m, K, t):
        super().__init__()
        self.w0 = nn.Parameter(torch.zeros(1))
        self.w = nn.Embedding(n, 1)
        nn.init.zeros_(self.w.weight)
        self.V = nn.Embedding(n, K)
        nn.init.normal_(self.V.weight, 0, 0.1)
        self.W = nn.Linear(K, t)
        self.h = nn.Parameter(torch.empty(t).uniform_(-t ** -0.5, t ** -0.5))
        self.p = nn.Parameter(torch.ones(K))
        first, second = torch.triu_indices(m, m, 1)
        self.register_buffer("first", first)
        self.register_buffer("second", second)

    def forward(self, features, x):
        vx = self.V(features) * x.unsqueeze(-1)                       # (B, m, K)
        linear = (self.w(features).squeeze(-1) * x).sum(1)            # (B)
        e = vx.index_select(1, self.first) * vx.index_select(1, self.second)  # (B, P, K)
        a = torch.softmax(F.relu(self.W(e)) @ self.h, dim=1)          # (B, P)
        return linear + (e * a.unsqueeze(-1)).sum(1) @ self.p + self.w0


def bert_batch(B, first, second, V, generator):
    """[CLS] 22 random pieces [SEP] 23 random pieces [SEP]; 7 chosen positions per pair (15% of 45), 80% of
    them shown as [MASK]; half the pairs IsNext."""
    def pieces(n):
        return torch.randint(5, V, (B, n), generator=generator)
    cls, sep = torch.full((B, 1), 2), torch.full((B, 1), 3)
    tokens = torch.cat([cls, pieces(first), sep, pieces(second), sep], 1)
    T = tokens.shape[1]
    segments = torch.cat([torch.zeros(B, first + 2, dtype=torch.long), torch.ones(B, second + 1, dtype=torch.long)], 1)
    text = torch.cat([torch.arange(1, first + 1), torch.arange(first + 2, first + 2 + second)])  # the non-special positions
    chosen = torch.stack([text[torch.randperm(first + second, generator=generator)[:7]] for _ in range(B)])  # (B, 7)
    targets = tokens.gather(1, chosen).reshape(-1)
    shown = tokens.clone()
    shown.scatter_(1, chosen[:, :6], 4)  # [MASK]
    flat = (chosen + T * torch.arange(B).unsqueeze(1)).reshape(-1)
    is_next = torch.arange(B) % 2
    return shown, segments, flat, targets, is_next


def workload(index, generator):
    """(name, model, inputs, targets, tokens per step)"""
    if index == 1:
        return "B1 seq2seq", Seq2Seq(64, 64, 128), seq2seq_batch(64, 20, 20, 64, generator), 64 * 20
    if index == 2:
        return "B2 Bahdanau", Bahdanau(64, 64, 128, 128), seq2seq_batch(64, 20, 20, 64, generator), 64 * 20
    if index == 3:
        return "B3 Luong", Luong(64, 64, 128), seq2seq_batch(64, 20, 20, 64, generator), 64 * 20
    if index == 4:
        words = random_ids(32 * 8, 16, 5000, generator).reshape(32, 8, 16)
        labels = torch.randint(0, 5, (32,), generator=generator)
        return "B4 HAN", Han(5000, 64, 32, 64, 5), (words, labels), 32 * 8 * 16
    if index == 6:
        return "B6 BERT", Bert(3000, 128, 4, 256, 2, 64, 0.1), bert_batch(64, 22, 23, 3000, generator), 64 * 48
    if index == 7:
        features = torch.randint(0, 20, (256, 12), generator=generator) + 20 * torch.arange(12)
        return "B7 AFM", Afm(240, 12, 8, 16), (features, torch.ones(256, 12), torch.randn(256, generator=generator)), 256
    return "B5 Transformer", Transformer(1000, 128, 4, 512, 2), seq2seq_batch(64, 32, 32, 1000, generator), 64 * 32


def step_function(index, model, batch):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=True)
        if index == 4:
            words, labels = batch
            loss = F.cross_entropy(model(words), labels)
        elif index == 6:
            tokens, segments, chosen, targets, is_next = batch
            mlm, nsp = model(tokens, segments, chosen)
            loss = F.cross_entropy(mlm, targets) + F.cross_entropy(nsp, is_next)
        elif index == 7:
            features, x, y = batch
            loss = F.mse_loss(model(features, x), y)
        else:
            source, target_in, target = batch
            logits = model(source, target_in)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))
        loss.backward()
        optimizer.step()
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workload", type=int, default=0, help="one of 1-7 (default: each in a process of its own)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    if args.workload == 0:  # each workload in its own process, so that peak RSS is its own
        import subprocess
        results = []
        for index in range(1, 8):
            out = subprocess.run([sys.executable, __file__, "--threads", str(args.threads), "--steps", str(args.steps),
                                  "--warmup", str(args.warmup), "--workload", str(index)], capture_output=True, text=True, check=True)
            results.append(json.loads(out.stdout))
            r = results[-1]
            print(f"{r['name']:16} {r['threads']:7} {r['median_ms']:12.2f} {r['tokens_per_s']:12.0f} {r['peak_rss_mb']:9.1f}", file=sys.stderr)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"torch": torch.__version__, "workloads": results}, f, indent=2)
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    generator = torch.Generator().manual_seed(1)
    name, model, batch, tokens = workload(args.workload, generator)
    step = step_function(args.workload, model, batch)
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"name": name, "threads": args.threads, "median_ms": median, "tokens_per_s": tokens / (median / 1000),
                      "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
