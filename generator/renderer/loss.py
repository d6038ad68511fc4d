"""What the renderer is scored on: the painted portrait, pixel by pixel, the face counted more.

L1 over the portrait, with the face square (the StyleGAN face critic's: brows to chin) weighted
`face_weight` times a pixel elsewhere, the band the eyes lie in `eye_weight` times and the band
of the nose and mouth `mouth_weight` times, normalised so the mean weight is 1: hair, jersey
and background fill most of the portrait and are learnt first, and an eye is a few pixels that
L1 otherwise leaves as a smear for thousands of steps (a 3,000-step trial: faces blank at
weight 1, brows and eyes forming at 5; at 5 the eyes were still closed lids at 4,500 steps,
whites 2.7 px tall at 128 px; at 12 on the eye band, open on 78 % of faces at 7,500). Beside it
the upsampler's detail term (generator/upsampler/model.py), at `detail`: as much fine detail in
each neighbourhood as the portrait has, not its exact placement, so stubble and hair strands
the traits do not place are drawn, not averaged.
Here it is taken on the grey (the channels' mean): per colour channel, a run at step 3,500 drew
the strands it could not place as streaks fringed green and red, each channel's energy matched
on its own. The nose-and-mouth band keeps `mouth_detail` of it: the traits place the nose and
the mouth, and over a smeared nose the term paid for any line drawn near (on 64 painted faces a
line there cost +0.0003 in L1 and -0.00005 with the term), and the renderer drew one, a ghost
of a moustache's edge from the nose to a corner of the mouth, on most beardless faces
(generator/measures.py, lower_face_match).
L1 draws each pixel's median over the faces the network cannot yet tell apart: a nostril or a
fold 2 px wide, placed a pixel or two off, darkens a given pixel on fewer than half of them, and
L1 draws skin there. The 20,000-step model drew no nostril and no fold on any face, while the
band's layout matched the painter's at 0.978 on coarser scales. Squared error on the band, at
`mouth_squared` times its L1 weight, asks for the mean instead: a faint nostril where one is
likely (4,000 steps at 1e-4 with it at 8, shipped: lower face 0.901 to 0.924, where L1 alone
had flattened at that rate). The median is not all of it: fitted to 16 portraits alone for 300
passes, L1 drew no nostril either; small features are learnt slowly whatever the loss.
And a colour term, at `colour`: the chroma (each channel less the channels' mean, so lightness
and strands are left to the terms above) averaged over 8 x 8 pixel cells and compared unweighted,
so the hair's and the jersey's colour count as much as the face's. Without it the hair, weighted
0.43 beside the face's 2.1 and the eyes' 5.1, came out paler than painted: blond as ash and red
as brown, which the attribute probe read as grey 8 points more often at 36-40 (the painter's own
faces with their colour cut to 0.8 read 4 points more; blurred, no more).
And an eye-colour term, at `eye_colour`: the chroma of each eye's box (the eye-white measure's),
its darker pixels counted (eye_chroma), compared. Told each player's eye colour, the 29,000-step
model drew no eye blue (the painter 26.8 %, generator/measures.py, blue_eyes): an iris is a few
pixels at 128 px, its colour a sliver of any 8 x 8 cell, and L1 draws it brown wherever it is not
sure of the place. The box's dark pixels' mean colour does not care where in the box the iris
lies, only what colour it is.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from facepack.generator.measures import MOUTH_COLS, MOUTH_ROWS, eye_boxes, mouth_band
from facepack.generator.stylegan.model import FACE_COLS, FACE_ROWS
from facepack.generator.upsampler.model import detail_energy

# Where both eyes lie on every painted face (a little wider than the eye-white measure's
# windows, generator/measures.py, so that an eye a few pixels off still counts).
EYE_ROWS, EYE_COLS = (0.35, 0.50), (0.34, 0.66)
COLOUR_CELL = 8  # px at 128: a cell of hair holds its strands' mean colour


def face_weights(size: int, face_weight: float, eye_weight: float = 1.0, mouth_weight: float = 1.0) -> np.ndarray:
    """(size, size, 1) float32: face_weight on the face square, eye_weight on the eye band and
    mouth_weight on the nose-and-mouth band (each where higher), mean 1."""
    w = np.ones((size, size, 1), np.float32)
    bands = ((FACE_ROWS, FACE_COLS, face_weight), (EYE_ROWS, EYE_COLS, eye_weight), (MOUTH_ROWS, MOUTH_COLS, mouth_weight))
    for (r0, r1), (c0, c1), weight in bands:
        band = w[int(r0 * size) : int(r1 * size), int(c0 * size) : int(c1 * size)]
        np.maximum(band, weight, out=band)
    return w / w.mean()


def detail_weights(weights: np.ndarray, mouth_detail: float) -> np.ndarray:
    """The L1 weights with the nose-and-mouth band's scaled by `mouth_detail`, for the detail term."""
    out = weights.copy()
    out[mouth_band(weights.shape[0])] *= mouth_detail
    return out


def squared_weights(weights: np.ndarray, mouth_squared: float) -> np.ndarray:
    """The squared term's weights: the L1 weights on the nose-and-mouth band times `mouth_squared`, 0 elsewhere."""
    out = np.zeros_like(weights)
    band = mouth_band(weights.shape[0])
    out[band] = weights[band] * mouth_squared
    return out


def chroma(images, cell: int = COLOUR_CELL):
    """Each channel less the channels' mean, averaged over cell x cell pixels: the colour of areas."""
    c = images - ops.mean(images, axis=-1, keepdims=True)
    return ops.average_pool(c, cell, strides=cell, padding="valid")


def eye_chroma(images):
    """(batch, 2, 3): each eye box's chroma, each pixel weighted by how much darker it is than the
    box's mean (iris, pupil, lashes; not skin or white), wherever in the box they lie. A plain mean
    is the skin's: on 600 painted players the boxes of blue- and brown-eyed ones differ by 0.03 in
    it, and by 0.08 weighted so (red less mean: 0.063 blue, 0.142 brown; the renderer 0.113)."""
    out = []
    for rows, cols in eye_boxes(images.shape[1]):
        box = images[:, rows, cols, :]
        grey = ops.mean(box, axis=-1, keepdims=True)
        dark = ops.relu(ops.mean(grey, axis=(1, 2), keepdims=True) - grey)
        out.append(ops.sum((box - grey) * dark, axis=(1, 2)) / (ops.sum(dark, axis=(1, 2)) + 1e-3))
    return ops.stack(out, axis=1)


@keras.saving.register_keras_serializable(package="facepack")
class RendererLoss(keras.losses.Loss):
    def __init__(
        self,
        size: int,
        face_weight: float = 5.0,
        detail: float = 1.0,
        eye_weight: float = 1.0,
        colour: float = 0.0,
        mouth_weight: float = 1.0,
        mouth_detail: float = 1.0,
        mouth_squared: float = 0.0,
        eye_colour: float = 0.0,
        name: str = "renderer_loss",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.size, self.face_weight, self.detail, self.eye_weight = size, face_weight, detail, eye_weight
        self.colour, self.mouth_weight, self.mouth_detail = colour, mouth_weight, mouth_detail
        self.mouth_squared, self.eye_colour = mouth_squared, eye_colour
        weights = face_weights(size, face_weight, eye_weight, mouth_weight)
        self.weights = ops.convert_to_tensor(weights)
        self.detail_weights = ops.convert_to_tensor(detail_weights(weights, mouth_detail))
        self.squared_weights = ops.convert_to_tensor(squared_weights(weights, mouth_squared))

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        loss = ops.mean(ops.abs(error) * self.weights, axis=(1, 2, 3))
        if self.mouth_squared:
            loss = loss + ops.mean(ops.square(error) * self.squared_weights, axis=(1, 2, 3))
        if self.detail:
            grey_true, grey_pred = ops.mean(y_true, axis=-1, keepdims=True), ops.mean(y_pred, axis=-1, keepdims=True)
            energy = ops.abs(detail_energy(grey_true) - detail_energy(grey_pred)) * self.detail_weights
            loss = loss + self.detail * ops.mean(energy, axis=(1, 2, 3))
        if self.colour:
            loss = loss + self.colour * ops.mean(ops.abs(chroma(y_true) - chroma(y_pred)), axis=(1, 2, 3))
        if self.eye_colour:
            loss = loss + self.eye_colour * ops.mean(ops.abs(eye_chroma(y_true) - eye_chroma(y_pred)), axis=(1, 2))
        return loss

    def get_config(self) -> dict:
        return super().get_config() | {
            "size": self.size,
            "face_weight": self.face_weight,
            "detail": self.detail,
            "eye_weight": self.eye_weight,
            "colour": self.colour,
            "mouth_weight": self.mouth_weight,
            "mouth_detail": self.mouth_detail,
            "mouth_squared": self.mouth_squared,
            "eye_colour": self.eye_colour,
        }
