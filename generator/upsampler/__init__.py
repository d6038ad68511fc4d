"""The learned upsampler: the second stage of the learned generator, from its native size to build's.

A generator drawing at 128 px and upscaled by a cubic filter cannot be sharp at 256 px:
a perfect 128 px copy of every painted face scores 0.41 of the painter's sharpness that way
(benchmarks/sharpness_ceiling.py), and growing the GAN to 256 px costs 2x a step on the CPU
and many thousands of steps more. A cascade (a base generator at low resolution, then a
network that doubles it, as cascaded diffusion and GigaGAN's upsampler do) moves the fine
detail (hair strands, stubble, the edges of eyes, brows and lips) to a small fully
convolutional network trained on crops of the same portraits, which is cheap to train on
a CPU and learns from any facepack: its pairs are the portraits and their own halves.
"""
