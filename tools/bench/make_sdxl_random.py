# Builds a Stable Diffusion XL base 1.0-ARCHITECTURE model with RANDOM weights, exported to ONNX in
# the layout optimum writes for SDXL (model_index.json, scheduler/, tokenizer/, tokenizer_2/,
# text_encoder/, text_encoder_2/, unet/, vae_decoder/, vae_encoder/, a config.json in each part),
# plus a second folder with sdxl-turbo's scheduler whose parts are link files to the first.
# Real SDXL tensor shapes (UNet 2.57 B parameters), so real compute and memory cost; the images are
# noise. Purpose: performance measurement only (issue 22; no real weights can be had here).
#
# Low-memory export (a plain torch export of the 10.3 GB UNet peaks above 20 GB):
#  1. the modules are built with every parameter on torch's "meta" device (torch.empty is patched
#     while they are constructed), then each parameter is replaced by a stride-0 expanded view of
#     its own 1-element tensor (a distinct value each), so the 2.57 B parameters take no memory;
#  2. torch.onnx.export traces the graph with export_params=False and no constant folding, so the
#     parameters become graph inputs named after them and nothing is materialised; torch's
#     initializer de-duplication is switched off;
#  3. the graph is rewritten with the onnx package: each parameter input becomes an initializer of
#     its real shape whose data lives in model.onnx_data (external data: location, offset, length,
#     contiguous as onnx.save_model writes them); Transpose nodes on a parameter (torch's linear on
#     3-D inputs) are folded into an initializer of the transposed shape (what constant folding
#     would produce; the weights are random, so no data needs moving);
#  4. the data file is streamed tensor by tensor from numpy (seed 0): matrices and convolution
#     kernels N(0, 0.02^2), biases 0, normalisation scales 1.
# Checks: every parameter appears as exactly one initializer with its own shape (no sharing, no
# de-duplication), the data file's size is the sum of the initializers' bytes, onnx.checker by path.
# The VAE (84 M parameters) is exported plainly (constant folding on).
#
# How to run (Debian packages python3-torch 1.13.1, python3-onnx 1.12, python3-numpy, python3-pil,
# python3-regex, python3-filelock, python3-packaging, python3-tqdm; /usr/bin/python3):
#   D=/work/.mirror/huggingface+diffusers/repo  H=/work/.mirror/huggingface+huggingface_hub/repo
#   S=.gen/py; mkdir -p $S/diffusers-v0.19.3 $S/hfhub-v0.16.4
#   git --git-dir=$D archive v0.19.3 src/diffusers | tar -x -C $S/diffusers-v0.19.3
#   git --git-dir=$H archive v0.16.4 src/huggingface_hub | tar -x -C $S/hfhub-v0.16.4
#   PYTHONPATH=$S/diffusers-v0.19.3/src:$S/hfhub-v0.16.4/src nice -n 19 \
#     /usr/bin/python3 tools/bench/make_sdxl_random.py [OUTDIR] [--only unet,text_encoder_2,...]
# (diffusers v0.19.3 has SDXL's UNet: transformer_layers_per_block, addition_embed_type
# text_time; it works with torch 1.13 without safetensors or transformers: the two CLIP text
# towers are re-implemented below in plain torch, as in tools/fixtures/make_tiny_sdxl.py.)
# OUTDIR defaults to .gen/sdxl-random; the turbo folder is OUTDIR-turbo (e.g.
# .gen/sdxl-random-turbo). Parts for --only: text_encoder, text_encoder_2, unet, vae, meta.
# Cost on the 2-vCPU VM (2026-12-07, shared, load 3-8; docs/benchmarks.md, "Real size: SDXL
# architecture"): 22 min in all (text_encoder 32 s, text_encoder_2 2.4 min, VAE 13 s, UNet 19 min,
# of which 18.4 min are torch 1.13's single-threaded tracing and ONNX conversion (its per-node
# shape inference) of the 1680-parameter graph and 38 s writing its 10.3 GB of weights). Peak RSS
# 10.3 GiB (VmHWM 10,760,316 kB), during the UNet's tracing: torch still materialises the
# parameters' values while it traces and converts (text_encoder_2 alone: 3.4 GiB); a plain
# export would need the weights twice (>20 GB). Run it under a memory watchdog on a shared
# machine. Writes 12.9 GiB (13,882,925,681 bytes: unet 10.28 GB, text_encoder_2 2.78 GB,
# text_encoder 0.49 GB, VAE decoder 0.20 GB, encoder 0.14 GB), no temporary files.
import argparse
import json
import os
import shutil
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.getcwd()
TINY = os.path.join(HERE, "../../atelier-engine-onnx/src/test/resources/diffusers-tiny/models/tiny-sdxl")
OPSET = 17
STD = 0.02

# stabilityai/stable-diffusion-xl-base-1.0 unet/config.json (the fields diffusers v0.19.3 takes).
UNET_CONFIG = dict(
    sample_size=128, in_channels=4, out_channels=4, center_input_sample=False,
    flip_sin_to_cos=True, freq_shift=0,
    down_block_types=["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
    up_block_types=["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
    block_out_channels=[320, 640, 1280], layers_per_block=2, downsample_padding=1,
    mid_block_scale_factor=1, act_fn="silu", norm_num_groups=32, norm_eps=1e-5,
    cross_attention_dim=2048, transformer_layers_per_block=[1, 2, 10],
    attention_head_dim=[5, 10, 20], use_linear_projection=True, upcast_attention=False,
    addition_embed_type="text_time", addition_time_embed_dim=256,
    projection_class_embeddings_input_dim=2816,
)
# stabilityai/stable-diffusion-xl-base-1.0 vae/config.json.
VAE_CONFIG = dict(
    in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 4,
    up_block_types=["UpDecoderBlock2D"] * 4, block_out_channels=[128, 256, 512, 512],
    layers_per_block=2, act_fn="silu", latent_channels=4, norm_num_groups=32, sample_size=1024,
    scaling_factor=0.13025, force_upcast=True,
)


def text_config(arch, act, width, heads, layers, mlp, projection):
    return {
        "architectures": [arch], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0,
        "eos_token_id": 2, "hidden_act": act, "hidden_size": width, "initializer_factor": 1.0,
        "initializer_range": 0.02, "intermediate_size": mlp, "layer_norm_eps": 1e-05,
        "max_position_embeddings": 77, "model_type": "clip_text_model",
        "num_attention_heads": heads, "num_hidden_layers": layers, "pad_token_id": 1,
        "projection_dim": projection, "torch_dtype": "float32", "vocab_size": 49408,
    }


# text_encoder: openai CLIP ViT-L/14 text tower; text_encoder_2: OpenCLIP ViT-bigG/14 text tower.
TEXT1 = text_config("CLIPTextModel", "quick_gelu", 768, 12, 12, 3072, 768)
TEXT2 = text_config("CLIPTextModelWithProjection", "gelu", 1280, 20, 32, 5120, 1280)

SDXL_BASE_SCHEDULER = {
    "_class_name": "EulerDiscreteScheduler", "_diffusers_version": "0.19.0.dev0",
    "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
    "clip_sample": False, "interpolation_type": "linear", "num_train_timesteps": 1000,
    "prediction_type": "epsilon", "sample_max_value": 1.0, "set_alpha_to_one": False,
    "skip_prk_steps": True, "steps_offset": 1, "timestep_spacing": "leading",
    "trained_betas": None, "use_karras_sigmas": False,
}
SDXL_TURBO_SCHEDULER = {
    "_class_name": "EulerAncestralDiscreteScheduler", "_diffusers_version": "0.24.0.dev0",
    "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
    "clip_sample": False, "interpolation_type": "linear", "num_train_timesteps": 1000,
    "prediction_type": "epsilon", "sample_max_value": 1.0, "set_alpha_to_one": False,
    "skip_prk_steps": True, "steps_offset": 1, "timestep_spacing": "trailing",
    "trained_betas": None,
}


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def rss_gib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1048576
    return -1


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------- parameters that take no memory
class MetaInit:
    """While active, torch.empty allocates on the meta device: nn.Linear, nn.Conv2d, nn.GroupNorm,
    nn.LayerNorm and nn.Embedding then build their parameters (and run their in-place inits) on
    meta, without memory."""

    def __enter__(self):
        self._empty = torch.empty

        def empty(*a, **k):
            k["device"] = "meta"
            return self._empty(*a, **k)
        torch.empty = empty
        return self

    def __exit__(self, *exc):
        torch.empty = self._empty


def free_parameters(module):
    """Replaces every parameter by a stride-0 view of its own 1-element tensor (a distinct value
    per parameter, so no two are equal); returns {qualified name: shape}."""
    shapes = {}
    k = 0
    for mname, m in module.named_modules():
        for pname, p in list(m._parameters.items()):
            if p is None:
                continue
            k += 1
            one = torch.full((1,), 1e-3 * (1 + 1e-4 * k))
            m._parameters[pname] = nn.Parameter(one.expand(tuple(p.shape)), requires_grad=False)
            shapes[(mname + "." if mname else "") + pname] = tuple(p.shape)
    for mname, m in module.named_modules():
        for bname, b in m._buffers.items():
            if b is not None and b.is_meta:
                raise RuntimeError(f"meta buffer {mname}.{bname}")
    return shapes


# ---------------------------------------------------------------- text towers (plain torch)
class TextLayer(nn.Module):
    def __init__(self, width, heads, mlp, eps, act):
        super().__init__()
        self.heads, self.head_dim, self.act = heads, width // heads, act
        self.layer_norm1 = nn.LayerNorm(width, eps=eps)
        self.q_proj, self.k_proj = nn.Linear(width, width), nn.Linear(width, width)
        self.v_proj, self.out_proj = nn.Linear(width, width), nn.Linear(width, width)
        self.layer_norm2 = nn.LayerNorm(width, eps=eps)
        self.fc1, self.fc2 = nn.Linear(width, mlp), nn.Linear(mlp, width)

    def forward(self, x, mask):
        b, n, w = x.shape
        h = self.layer_norm1(x)
        q = (self.q_proj(h) * self.head_dim**-0.5).reshape(b, n, self.heads, -1).transpose(1, 2)
        k = self.k_proj(h).reshape(b, n, self.heads, -1).transpose(1, 2)
        v = self.v_proj(h).reshape(b, n, self.heads, -1).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-1, -2) + mask, dim=-1)
        x = x + self.out_proj((att @ v).transpose(1, 2).reshape(b, n, w))
        h = self.fc1(self.layer_norm2(x))
        h = F.gelu(h) if self.act == "gelu" else h * torch.sigmoid(1.702 * h)
        return x + self.fc2(h)


class ClipText(nn.Module):
    """transformers' CLIPTextModel / CLIPTextModelWithProjection with optimum's outputs:
    (last_hidden_state, pooler_output | text_embeds, last_hidden_state), then hidden_states.0..N."""

    def __init__(self, cfg, projection):
        super().__init__()
        w = cfg["hidden_size"]
        self.projection = projection
        self.token_embedding = nn.Embedding(cfg["vocab_size"], w)
        self.position_embedding = nn.Embedding(cfg["max_position_embeddings"], w)
        self.layers = nn.ModuleList(
            TextLayer(w, cfg["num_attention_heads"], cfg["intermediate_size"],
                      cfg["layer_norm_eps"], cfg["hidden_act"])
            for _ in range(cfg["num_hidden_layers"]))
        self.final_layer_norm = nn.LayerNorm(w, eps=cfg["layer_norm_eps"])
        if projection:
            self.text_projection = nn.Linear(w, cfg["projection_dim"], bias=False)

    def forward(self, input_ids):
        ids = input_ids.to(torch.int64)
        n = ids.shape[1]
        x = self.token_embedding(ids) + self.position_embedding.weight[:n].unsqueeze(0)
        pos = torch.arange(n)
        mask = (pos.unsqueeze(0) > pos.unsqueeze(1)).to(x.dtype) * torch.finfo(x.dtype).min
        hidden = [x]
        for layer in self.layers:
            x = layer(x, mask)
            hidden.append(x)
        last = self.final_layer_norm(x)
        eos = ids.argmax(dim=-1)  # legacy pooling (eos_token_id 2 in the real configs)
        pooled = torch.gather(last, 1, eos.reshape(-1, 1, 1).expand(-1, 1, last.shape[-1]))
        pooled = pooled.reshape(-1, last.shape[-1])
        if self.projection:
            return (self.text_projection(pooled), last) + tuple(hidden)
        return (last, pooled) + tuple(hidden)


class UNetWrap(nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds, time_ids):
        return self.unet(sample, timestep, encoder_hidden_states,
                         added_cond_kwargs={"text_embeds": text_embeds, "time_ids": time_ids},
                         return_dict=False)[0]


class DecoderWrap(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent_sample):
        return self.vae.decoder(self.vae.post_quant_conv(latent_sample))


class EncoderWrap(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, sample):
        return self.vae.quant_conv(self.vae.encoder(sample))


# ---------------------------------------------------------------- graph-only export + streamed weights
def export_graph_only(module, shapes, args, path, inputs, outputs, axes, seed):
    d = os.path.dirname(path)
    os.makedirs(d, exist_ok=True)
    data_name = "model.onnx_data"
    for p in (path, os.path.join(d, data_name)):
        if os.path.exists(p):
            os.remove(p)
    dedup = torch._C._jit_pass_onnx_deduplicate_initializers
    torch._C._jit_pass_onnx_deduplicate_initializers = lambda g, params, training: params
    t0 = time.time()
    try:
        with torch.no_grad():
            torch.onnx.export(module.eval(), args, path, input_names=inputs, output_names=outputs,
                              dynamic_axes=axes, opset_version=OPSET, do_constant_folding=False,
                              export_params=False)
    finally:
        torch._C._jit_pass_onnx_deduplicate_initializers = dedup
    log("  graph traced in %.0f s, peak RSS %.2f GiB" % (time.time() - t0, rss_gib()))

    m = onnx.load(path, load_external_data=False)
    g = m.graph
    params = {n: s for n, s in shapes.items()}
    param_inputs = [v for v in g.input if v.name not in inputs]
    missing = [v.name for v in param_inputs if v.name not in params]
    if missing:
        raise RuntimeError("graph inputs that are not parameters: %s" % missing[:10])
    unused = sorted(set(params) - {v.name for v in param_inputs})
    if unused:
        log("  parameters not used by the graph (dropped, as torch does):", len(unused), unused[:5])
    keep = [v for v in g.input if v.name in inputs]
    del g.input[:]
    g.input.extend(keep)
    for v in param_inputs:
        if list(v.type.tensor_type.shape.dim) and \
                tuple(x.dim_value for x in v.type.tensor_type.shape.dim) != params[v.name]:
            raise RuntimeError("shape mismatch for %s" % v.name)

    consumers = {}
    for node in g.node:
        for i in node.input:
            consumers[i] = consumers.get(i, 0) + 1
    names = {v.name for v in param_inputs}
    folded = 0
    new_nodes = []
    renamed = {}
    for node in g.node:
        if node.op_type == "Transpose" and node.input[0] in names and consumers[node.input[0]] == 1:
            perm = [a.ints for a in node.attribute if a.name == "perm"]
            shp = params[node.input[0]]
            perm = list(perm[0]) if perm else list(range(len(shp)))[::-1]
            tshape = tuple(shp[p] for p in perm)
            renamed[node.input[0]] = (node.output[0], tshape)
            folded += 1
            continue
        new_nodes.append(node)
    del g.node[:]
    g.node.extend(new_nodes)
    # initializers of folded transposes, keyed by the Transpose output name
    out_to_src = {out: (src, tshape) for src, (out, tshape) in renamed.items()}
    ordered = []
    seen = set()
    for node in g.node:
        for i in node.input:
            if i in seen:
                continue
            if i in names and i not in renamed:
                seen.add(i)
                ordered.append((i, params[i], i))
            elif i in out_to_src:
                seen.add(i)
                src, tshape = out_to_src[i]
                ordered.append((i, tshape, src))
    if len(ordered) != len(param_inputs):
        raise RuntimeError("initializer count %d != parameter inputs %d" % (len(ordered), len(param_inputs)))

    rng = np.random.default_rng(seed)
    data_path = os.path.join(d, data_name)
    offset = 0
    chunk = 1 << 24
    t0 = time.time()
    with open(data_path, "wb") as f:
        for name, shape, src in ordered:
            n = int(np.prod(shape))
            is_bias = src.endswith(".bias")
            is_norm_scale = len(shape) == 1 and not is_bias
            t = TensorProto()
            t.name = name
            t.data_type = TensorProto.FLOAT
            t.dims.extend(shape)
            t.data_location = TensorProto.EXTERNAL
            for k, v in (("location", data_name), ("offset", str(offset)), ("length", str(4 * n))):
                e = t.external_data.add()
                e.key, e.value = k, v
            left = n
            while left:
                c = min(chunk, left)
                if is_bias:
                    a = np.zeros(c, np.float32)
                elif is_norm_scale:
                    a = np.ones(c, np.float32)
                else:
                    a = rng.standard_normal(c, dtype=np.float32)
                    a *= STD
                f.write(a.tobytes())
                left -= c
            offset += 4 * n
            g.initializer.append(t)
    size = os.path.getsize(data_path)
    if size != offset:
        raise RuntimeError("data file %d bytes, expected %d" % (size, offset))
    names_out = [t.name for t in g.initializer]
    if len(set(names_out)) != len(names_out):
        raise RuntimeError("duplicate initializer names")
    onnx.save(m, path)
    onnx.checker.check_model(path)  # by path: resolves the external data file
    total = sum(int(np.prod(s)) for _, s, _ in ordered)
    log("  %d initializers (%d transposes folded), %.1f M parameters, %.2f GB data in %.0f s"
        % (len(ordered), folded, total / 1e6, size / 1e9, time.time() - t0))
    return total


def export_text(cfg, projection, path, seed):
    with MetaInit():
        tower = ClipText(cfg, projection)
    shapes = free_parameters(tower)
    n = cfg["num_hidden_layers"]
    hidden = [f"hidden_states.{i}" for i in range(n + 1)]
    head = ["text_embeds", "last_hidden_state"] if projection else ["last_hidden_state", "pooler_output"]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"}}
    for name in head + hidden:
        axes[name] = {0: "batch_size"} if name in ("text_embeds", "pooler_output") else \
            {0: "batch_size", 1: "sequence_length"}
    ids = torch.zeros(2, 77, dtype=torch.int64)
    ids[:, 0] = 49406
    ids[:, 5:] = 49407
    total = export_graph_only(tower, shapes, (ids,), path, ["input_ids"], head + hidden, axes, seed)
    write_json(os.path.join(os.path.dirname(path), "config.json"), cfg)
    return total


def plain(cfg):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dict(cfg).items()
            if not k.startswith("_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", nargs="?", default=os.path.join(REPO, ".gen/sdxl-random"))
    ap.add_argument("--only", default="meta,text_encoder,text_encoder_2,vae,unet")
    a = ap.parse_args()
    parts = set(a.only.split(","))
    out = a.outdir.rstrip("/")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    t_all = time.time()

    import diffusers
    from diffusers import AutoencoderKL, UNet2DConditionModel
    log("torch", torch.__version__, "diffusers", diffusers.__version__, "onnx", onnx.__version__,
        "numpy", np.__version__)

    if "meta" in parts:
        for tok in ("tokenizer", "tokenizer_2"):
            dst = os.path.join(out, tok)
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(os.path.join(TINY, tok), dst)
        flags = dict(force_zeros_for_empty_prompt=True, add_watermarker=None)
        index = {
            "_class_name": "ORTStableDiffusionXLPipeline", "_diffusers_version": diffusers.__version__,
            "feature_extractor": [None, None], "image_encoder": [None, None],
            "scheduler": ["diffusers", "EulerDiscreteScheduler"],
            "text_encoder": ["optimum", "ORTModelTextEncoder"],
            "text_encoder_2": ["optimum", "ORTModelTextEncoder"],
            "tokenizer": ["transformers", "CLIPTokenizer"],
            "tokenizer_2": ["transformers", "CLIPTokenizer"],
            "unet": ["optimum", "ORTModelUnet"], "vae_decoder": ["optimum", "ORTModelVaeDecoder"],
            "vae_encoder": ["optimum", "ORTModelVaeEncoder"], **flags}
        write_json(os.path.join(out, "model_index.json"), index)
        write_json(os.path.join(out, "scheduler/scheduler_config.json"), SDXL_BASE_SCHEDULER)
        turbo = out + "-turbo"
        shutil.rmtree(turbo, ignore_errors=True)
        os.makedirs(turbo)
        for part in ("tokenizer", "tokenizer_2", "text_encoder", "text_encoder_2", "unet",
                     "vae_decoder", "vae_encoder"):
            # a text file holding the relative path (what tiny-sdxl-turbo does; ModelFolder follows it)
            with open(os.path.join(turbo, part), "w") as f:
                f.write(f"../{os.path.basename(out)}/{part}")
        write_json(os.path.join(turbo, "model_index.json"),
                   dict(index, scheduler=["diffusers", "EulerAncestralDiscreteScheduler"]))
        write_json(os.path.join(turbo, "scheduler/scheduler_config.json"), SDXL_TURBO_SCHEDULER)

    if "text_encoder" in parts:
        log("text_encoder (CLIP ViT-L/14 text tower)")
        n = export_text(TEXT1, False, os.path.join(out, "text_encoder/model.onnx"), 1)
        log("  %.1f M params, peak RSS %.2f GiB" % (n / 1e6, rss_gib()))

    if "text_encoder_2" in parts:
        log("text_encoder_2 (OpenCLIP ViT-bigG/14 text tower)")
        n = export_text(TEXT2, True, os.path.join(out, "text_encoder_2/model.onnx"), 2)
        log("  %.1f M params, peak RSS %.2f GiB" % (n / 1e6, rss_gib()))

    if "vae" in parts:
        torch.manual_seed(0)
        vae = AutoencoderKL(**VAE_CONFIG).eval()
        log("vae (%.1f M params)" % (sum(p.numel() for p in vae.parameters()) / 1e6))
        for part, wrap, x, names, axes in (
                ("vae_decoder", DecoderWrap(vae), torch.randn(1, 4, 16, 16), ["latent_sample", "sample"],
                 {"latent_sample": {0: "batch_size", 2: "latent_height", 3: "latent_width"},
                  "sample": {0: "batch_size", 2: "latent_height * 8", 3: "latent_width * 8"}}),
                ("vae_encoder", EncoderWrap(vae), torch.randn(1, 3, 128, 128), ["sample", "latent_parameters"],
                 {"sample": {0: "batch_size", 2: "sample_height", 3: "sample_width"},
                  "latent_parameters": {0: "batch_size", 2: "sample_height / 8", 3: "sample_width / 8"}})):
            p = os.path.join(out, part, "model.onnx")
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with torch.no_grad():
                torch.onnx.export(wrap, (x,), p, input_names=[names[0]], output_names=[names[1]],
                                  dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
            onnx.checker.check_model(p)
            write_json(os.path.join(out, part, "config.json"),
                       dict(plain(vae.config), _class_name="AutoencoderKL",
                            _diffusers_version=diffusers.__version__))
        log("  peak RSS %.2f GiB" % rss_gib())
        del vae

    if "unet" in parts:
        log("unet")
        with MetaInit():
            unet = UNet2DConditionModel(**UNET_CONFIG).eval()
        shapes = free_parameters(unet)
        nparams = sum(int(np.prod(s)) for s in shapes.values())
        log("  unet %.1f M params (%d tensors), built without memory, peak RSS %.2f GiB"
            % (nparams / 1e6, len(shapes), rss_gib()))
        wrap = UNetWrap(unet)
        shapes = {"unet." + k: v for k, v in shapes.items()}
        args = (torch.randn(2, 4, 16, 16), torch.tensor([999.0, 999.0]), torch.randn(2, 77, 2048),
                torch.randn(2, 1280), torch.tensor([[128.0, 128, 0, 0, 128, 128]] * 2))
        export_graph_only(
            wrap, shapes, args, os.path.join(out, "unet/model.onnx"),
            ["sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids"], ["out_sample"],
            {"sample": {0: "batch_size", 2: "height", 3: "width"}, "timestep": {0: "steps"},
             "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
             "text_embeds": {0: "batch_size"}, "time_ids": {0: "batch_size"},
             "out_sample": {0: "batch_size", 2: "height", 3: "width"}}, 3)
        write_json(os.path.join(out, "unet/config.json"),
                   dict(plain(unet.config), _class_name="UNet2DConditionModel",
                        _diffusers_version=diffusers.__version__))
        log("  peak RSS %.2f GiB" % rss_gib())

    log("done in %.0f s, peak RSS %.2f GiB" % (time.time() - t_all, rss_gib()))


if __name__ == "__main__":
    main()
