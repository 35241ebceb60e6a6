# Builds an SD-Turbo-ARCHITECTURE model (= Stable Diffusion 2.1 at 512: OpenCLIP ViT-H text tower
# as CLIPTextModel with gelu, hidden 1024, 23 layers; UNet with use_linear_projection and
# attention_head_dim [5, 10, 20, 20], cross_attention_dim 1024) with RANDOM weights, exported to
# ONNX in the Hugging Face layout, for performance measurement only (the images are noise).
#
# It reuses the export helpers of ../shared/tools/make_sd15_random.py (same environment: Debian
# python3-torch 1.13, python3-onnx, diffusers v0.19.3 and huggingface_hub v0.16.4 on PYTHONPATH;
# see that file's header) and changes only what differs from SD 1.5:
#   - TEXT_CONFIG: gelu, 1024 wide, 16 heads, 23 layers, 4096 MLP (stabilityai/sd-turbo's
#     text_encoder/config.json); the text layer applies exact gelu instead of quick_gelu
#   - UNET_CONFIG: use_linear_projection, per-block head list, cross_attention_dim 1024
#   - tokenizer: SD 1.5's files with pad_token "!" (what SD2's special_tokens_map.json says)
#   - scheduler: stabilityai/sd-turbo's scheduler_config.json (Euler, trailing, epsilon)
# Run:  PYTHONPATH=... /usr/bin/python3 tools/bench/make_sd_turbo_random.py [OUTDIR]
#         [--sd15-script ../shared/tools/make_sd15_random.py] [--only unet,...]
# NOT run at real size when written (memory was reserved for other benchmarks); expect a little
# more than the SD 1.5 script: UNet 865 M parameters (3.5 GB fp32), text encoder 340 M (1.4 GB).
# Then: ./atelier bench --model OUTDIR --steps 1 --guidance 0 --scheduler default
import argparse
import importlib.util
import json
import os
import shutil
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def load_sd15(path):
    spec = importlib.util.spec_from_file_location("make_sd15_random", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def gelu_layer_forward(self, x, mask):
    b, n = x.shape[0], x.shape[1]
    h = self.layer_norm1(x)
    q = (self.q_proj(h) * (self.head_dim ** -0.5)).reshape(b, n, self.heads, self.head_dim).transpose(1, 2)
    k = self.k_proj(h).reshape(b, n, self.heads, self.head_dim).transpose(1, 2)
    v = self.v_proj(h).reshape(b, n, self.heads, self.head_dim).transpose(1, 2)
    att = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) + mask, dim=-1)
    o = torch.matmul(att, v).transpose(1, 2).reshape(b, n, self.width)
    x = x + self.out_proj(o)
    return x + self.fc2(F.gelu(self.fc1(self.layer_norm2(x))))  # hidden_act "gelu"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", nargs="?", default=os.path.join(os.getcwd(), ".gen/sd-turbo-random"))
    ap.add_argument("--sd15-script", default=os.path.join(HERE, "../../../shared/tools/make_sd15_random.py"))
    ap.add_argument("--only", default="text_encoder,vae_decoder,vae_encoder,unet,meta")
    a = ap.parse_args()
    sd = load_sd15(os.path.abspath(a.sd15_script))

    sd.TEXT_CONFIG.update(hidden_act="gelu", hidden_size=1024, intermediate_size=4096,
                          num_attention_heads=16, num_hidden_layers=23, projection_dim=512)
    sd._TextLayer.forward = gelu_layer_forward
    sd.UNET_CONFIG.update(attention_head_dim=[5, 10, 20, 20], cross_attention_dim=1024,
                          use_linear_projection=True)
    sd.SCHEDULER_CONFIG.clear()
    sd.SCHEDULER_CONFIG.update({
        "_class_name": "EulerDiscreteScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
        "beta_start": 0.00085, "clip_sample": False, "interpolation_type": "linear",
        "num_train_timesteps": 1000, "prediction_type": "epsilon", "sample_max_value": 1.0,
        "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
        "timestep_spacing": "trailing", "trained_betas": None, "use_karras_sigmas": False})
    # The SD 1.5 script's UNet example input is 768 wide; give the exporter 1024-wide states.
    randn = torch.randn

    def randn_1024(*shape, **kw):
        if tuple(shape) == (2, 77, 768):
            shape = (2, 77, 1024)
        return randn(*shape, **kw)

    torch.randn = randn_1024
    sys.argv = [sys.argv[0], a.outdir, "--only", a.only]
    try:
        sd.main()
    finally:
        torch.randn = randn
    tok = os.path.join(a.outdir, "tokenizer")
    if os.path.isdir(tok):
        for name in ("special_tokens_map.json", "tokenizer_config.json"):
            p = os.path.join(tok, name)
            cfg = json.load(open(p)) if os.path.exists(p) else {}
            cfg["pad_token"] = "!"
            with open(p, "w") as f:
                json.dump(cfg, f, indent=2, sort_keys=True)
                f.write("\n")
    shutil.rmtree(os.path.join(a.outdir, "__pycache__"), ignore_errors=True)


if __name__ == "__main__":
    main()
