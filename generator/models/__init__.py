"""The shipped learned generator (face_renderer.keras, the renderer), its upsampler and their
model cards, read through importlib.resources."""
