"""veriline.server: a thin pygls adapter over veriline.analyses."""
