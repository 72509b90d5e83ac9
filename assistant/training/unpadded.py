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

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

_ATTENTION = "unpadded-replay"  # the attention implementation registered below, used only inside a replayed forward


def _sites(encoder) -> list[tuple[object, bool]]:
    """The encoder's dropout sites in the order a forward draws their masks, each with whether it is an attention
    one: a layer's attention dropout is its self-attention module (the attention function applies it, with that
    module's ``p``); the others are nn.Dropout modules."""
    try:
        layers = encoder.encoder.layer
        sites = [(encoder.embeddings.dropout, False)]
        for layer in layers:
            sites += [(layer.attention.self, True), (layer.attention.output.dropout, False), (layer.output.dropout, False)]
        return sites
    except AttributeError as e:
        needed = "a BERT-style encoder (embeddings, encoder.layer[...])"
        raise TypeError(f"unpadded training needs {needed}; got {type(encoder).__name__}") from e


def _draw(encoder, rows: int, width: int) -> list:
    """Each site's dropout mask (scaled, as ``torch.nn.functional.dropout`` applies it) for a padded batch of ``rows`` x
    ``width``, drawn as that batch's forward draws them; None where a site's probability is 0 (it draws nothing)."""
    import torch

    config = encoder.config
    masks = []
    for site, attention in _sites(encoder):
        p = site.dropout.p if attention else site.p
        shape = (rows, config.num_attention_heads, width, width) if attention else (rows, width, config.hidden_size)
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


@functools.cache
def _register() -> None:
    """Once a process: the replaying attention and its mask, by name, where transformers looks them up."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, eager_mask

    AttentionInterface.register(_ATTENTION, _replayed_attention)
    AttentionMaskInterface.register(_ATTENTION, eager_mask)  # an additive float mask, as the eager attention reads


@contextmanager
def _replaying(encoder) -> Iterator[list[tuple[object, bool]]]:
    """The encoder with its dropout replayed from masks set on each site (``site._replayed``; None: none) rather than
    drawn: the dropout modules in eval mode behind a hook, the attention through ``_replayed_attention``. Restored
    after, as it was."""
    _register()
    sites = _sites(encoder)
    before = encoder.config._attn_implementation
    modules = [site for site, attention in sites if not attention]
    training = [m.training for m in modules]
    hooks = [m.register_forward_hook(lambda m, args, out: args[0] * m._replayed if m._replayed is not None else out) for m in modules]
    for m in modules:
        m.train(False)
    encoder.set_attn_implementation(_ATTENTION)
    try:
        yield sites
    finally:
        encoder.set_attn_implementation(before)
        for m, was in zip(modules, training):
            m.train(was)
        for h in hooks:
            h.remove()
        for site, _ in sites:
            site.__dict__.pop("_replayed", None)


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
    parts = []
    with _replaying(encoder) as sites:
        drawn = _draw(encoder, rows, width) if encoder.training else [None] * len(sites)  # out of training: no dropout
        for start in range(0, rows, bucket):
            group = order[start : start + bucket]
            w = int(lengths[group].max())
            for (site, attention), m in zip(sites, drawn):
                site._replayed = None if m is None else (m[group, :, :w, :w] if attention else m[group, :w])
            parts.append(model(_cut(features, group, w, rows))["sentence_embedding"])
    return torch.cat(parts)[torch.argsort(order)]


def unpadded(loss_class: type, bucket: int) -> type:
    """``loss_class`` (a sentence-transformers loss with ``compute_loss_from_embeddings``) with each forward of its
    columns through ``embed_unpadded``: sentence-transformers' ``embed_columns`` still decides which columns share a
    forward (the anchors alone, the others merged), so the padded batches, and their dropout, are the loss's own."""
    from sentence_transformers.base.losses.merged_forward import embed_columns

    class Unpadded(loss_class):
        def forward(self, sentence_features: Iterable[dict], labels):
            grouped = lambda features: {"sentence_embedding": embed_unpadded(self.model, features, bucket)}  # noqa: E731
            return self.compute_loss_from_embeddings(embed_columns(grouped, sentence_features), labels)

    Unpadded.__name__ = Unpadded.__qualname__ = f"Unpadded{loss_class.__name__}"
    return Unpadded
