"""The shipped learned generator (face_gan.keras) and its model card, read through importlib.resources."""
