"""The learned renderer: a portrait drawn from the painter's whole draw for a player (its traits).

The conditional StyleGAN (generator/stylegan) must find eyes, noses and mouths from a critic's
verdicts alone, and on two CPU cores it settles on a few cheap ones (issue 21: closed lids,
look-alikes). Painted data knows everything the painter decided for each portrait
(generator/traits.py) but its textures' seed (hair strands, stubble dots, grain), so the same
mapping can be learned supervised: traits in, the painted portrait out, scored pixel by pixel
(and, for the textures it cannot place, by how much detail each neighbourhood holds: loss.py).
Its faces vary exactly as the painter's draws do (the variety is the sampler's, not the
network's), and nothing can collapse. It learns only from painted data; a community
facepack's traits are unknown, which is what the StyleGAN is for.

networks.py (the renderer and its export), loss.py (what it is scored on), loop.py (the
resumable training run), as the StyleGAN is split.
"""
