"""Training data for the learned models: TFRecord shards of (image, alpha matte, labels).

Both sources give the same format: portraits on the UI blue, square, bottom-anchored,
at one resolution, with their alpha matte, age group and appearance region.
"""
