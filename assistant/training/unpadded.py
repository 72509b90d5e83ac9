"""Training losses that embed a batch without computing its padding, and train the same model as with it.

sentence-transformers pads every column of a training batch to its longest sentence (and merges the positive and
negative columns, padding both to the longer). Here half of the tokens a batch computes were padding: a sentence of the
training documents is 29 tokens on average, a batch of 32 is padded to 63. The attention mask keeps padding out of
every real token's output and out of the mean pooling, so the same embeddings come from the batch cut into small groups
of sentences of like length, each cut to its longest: a step of the reader's own batches of 32 triplets on one core
takes 4.1 s instead of 7.5 s (median, ``bench/train_step.py``), and a whole training from scratch 508 s instead of 738 s.

Dropout is what makes this more than a loop. The padded forward draws each dropout mask for the padded shape, in a fixed
order (the embeddings'; then in each layer the attention's, the attention output's, the feed-forward output's). Groups
drawing their own masks would re-draw the whole fine-tuning: measured at stop 48, another draw of the same recipe moved
the tuning sets by 13 answers and 12 refusals, more than most changes worth measuring. So the masks are drawn as the
padded forward draws them, from the same random stream, and each group uses its rows and columns of them: the loss,
the gradients and the random stream after a step equal the padded step's to float rounding, and so does the model
trained. No library does this on the CPU (unpadded attention kernels need a GPU), so it is written here, for the
BERT-style encoders sentence-transformers wraps (the shipped MiniLM is one).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

_ATTENTION = "unpadded-replay"  # the attention implementation registered below, used only inside a replayed forward


def _sites(encoder) -> list:
    """The encoder's dropout modules in the order a forward draws their masks; a layer's attention dropout is its
    self-attention module (the attention function applies it, with that module's ``p``)."""
    try:
        layers = encoder.encoder.layer
        return [encoder.embeddings.dropout] + [m for layer in layers for m in (layer.attention.self, layer.attention.output.dropout, layer.output.dropout)]
    except AttributeError as e:
        raise TypeError(f"unpadded training needs a BERT-style encoder (embeddings, encoder.layer[...]); got {type(encoder).__name__}") from e


def _draw(encoder, rows: int, width: int) -> list:
    """Each site's dropout mask (scaled, as ``torch.nn.functional.dropout`` applies it) for a padded batch of ``rows`` x
    ``width``, drawn as that batch's forward draws them; None where a site's probability is 0 (it draws nothing)."""
    import torch

    config = encoder.config
    masks = []
    for k, site in enumerate(_sites(encoder)):
        p = site.dropout.p if k % 3 == 1 else site.p
        shape = (rows, config.num_attention_heads, width, width) if k % 3 == 1 else (rows, width, config.hidden_size)
        masks.append(torch.empty(shape).bernoulli_(1 - p).div_(1 - p) if p > 0 else None)
    return masks


def _replayed_attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
    """BERT's eager attention, its dropout the replayed mask (``module._replayed``) instead of a new draw."""
    import torch

    weights = torch.matmul(query, key.transpose(2, 3)) * (scaling if scaling is not None else query.size(-1) ** -0.5)
    if attention_mask is not None:
        weights = weights + attention_mask
    weights = torch.softmax(weights, dim=-1)
    if module._replayed is not None:
        weights = weights * module._replayed
    return torch.matmul(weights, value).transpose(1, 2).contiguous(), None


def _register() -> None:
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, eager_mask

    AttentionInterface.register(_ATTENTION, _replayed_attention)
    AttentionMaskInterface.register(_ATTENTION, eager_mask)  # an additive float mask, as the eager attention reads


@contextmanager
def _replaying(encoder) -> Iterator[list]:
    """The encoder with its dropout replayed from masks set on each site (``site._replayed``) rather than drawn:
    the dropout modules in eval mode behind a hook, the attention through ``_replayed_attention``. Restored after."""
    _register()
    sites = _sites(encoder)
    before = encoder.config._attn_implementation
    modules = [s for k, s in enumerate(sites) if k % 3 != 1]  # the nn.Dropout sites (not the self-attention ones)
    hooks = [m.register_forward_hook(lambda m, args, out: args[0] * m._replayed if m._replayed is not None else out) for m in modules]
    for m in modules:
        m.train(False)
    encoder.set_attn_implementation(_ATTENTION)
    try:
        yield sites
    finally:
        encoder.set_attn_implementation(before)
        for m in modules:
            m.train(True)
        for h in hooks:
            h.remove()
        for s in sites:
            s.__dict__.pop("_replayed", None)


def _cut(features: dict, group, width: int, rows: int) -> dict:
    """The rows ``group`` of a batch's features, each row tensor cut to ``width`` tokens (other features as they are)."""
    import torch

    return {k: v[group, :width] if torch.is_tensor(v) and v.dim() == 2 and v.shape[0] == rows else v for k, v in features.items()}


def embed_unpadded(model, features: dict, bucket: int):
    """``model(features)["sentence_embedding"]`` in training or not, computed in groups of ``bucket`` sentences sorted by
    length, each cut to its longest, in the batch's order. In training the dropout masks are the padded forward's."""
    import torch

    encoder = model[0].auto_model
    mask = features["attention_mask"]
    rows, width = mask.shape
    lengths = mask.sum(dim=1)
    order = torch.argsort(lengths, stable=True)
    groups = [order[s : s + bucket] for s in range(0, rows, bucket)]
    if not encoder.training:
        parts = [model(_cut(features, g, int(lengths[g].max()), rows))["sentence_embedding"] for g in groups]
        return torch.cat(parts)[torch.argsort(order)]
    drawn = _draw(encoder, rows, width)
    parts = []
    with _replaying(encoder) as sites:
        for g in groups:
            w = int(lengths[g].max())
            for k, (site, m) in enumerate(zip(sites, drawn)):
                site._replayed = None if m is None else (m[g, :, :w, :w] if k % 3 == 1 else m[g, :w])
            parts.append(model(_cut(features, g, w, rows))["sentence_embedding"])
    return torch.cat(parts)[torch.argsort(order)]


def embed_columns_unpadded(model, columns: Iterable[dict], bucket: int) -> list:
    """sentence-transformers' ``embed_columns`` (the anchor column alone, the others merged into one forward when they
    can be, as the loss's padded forward runs them), each forward through ``embed_unpadded``."""
    import torch
    from sentence_transformers.base.losses.merged_forward import merge_feature_batches

    first, *rest = list(columns)
    out = [embed_unpadded(model, first, bucket)]
    merged = merge_feature_batches(rest) if len(rest) > 1 else None
    if merged is None:
        return out + [embed_unpadded(model, f, bucket) for f in rest]
    return out + list(torch.chunk(embed_unpadded(model, merged, bucket), len(rest)))


def unpadded(loss_class: type, bucket: int) -> type:
    """``loss_class`` (a sentence-transformers loss with ``compute_loss_from_embeddings``) embedding its columns with
    ``embed_columns_unpadded``."""

    class Unpadded(loss_class):
        def forward(self, sentence_features: Iterable[dict], labels):
            return self.compute_loss_from_embeddings(embed_columns_unpadded(self.model, sentence_features, bucket), labels)

    Unpadded.__name__ = Unpadded.__qualname__ = f"Unpadded{loss_class.__name__}"
    return Unpadded
