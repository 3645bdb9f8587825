"""veriline.analyses: a pure library, source text in, findings out (no LSP here)."""
