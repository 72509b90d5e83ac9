"""Training losses embed a batch in groups of like length, each cut to its longest (``training/unpadded.py``): the same
embeddings, loss and gradients as padding the whole batch, with fewer tokens computed."""
from __future__ import annotations

import pytest

SHORT = ["Ferries?", "When does it open?", "Who runs the harbour?", "Tickets."]
LONG = [
    "The last ferry of the day leaves the harbour at ten at night, except on Sundays, when the timetable printed at the kiosk by pier two says it leaves at eight.",
    "The harbour is run by the Isle Dun Harbour Trust, a charity whose board of nine members is elected every three years by the island's residents and boat owners.",
]


@pytest.fixture(scope="module")
def model():
    from sentence_transformers import SentenceTransformer

    from assistant.embeddings import resolve_model_path
    from assistant.reader import RECIPE

    m = SentenceTransformer(str(resolve_model_path(RECIPE["base"])), device="cpu", local_files_only=True)
    m.max_seq_length = RECIPE["max_seq_length"]
    return m


def _tokens_computed(model):
    """A list that, after a forward, holds the token positions the encoder computed (rows x width of each batch), and
    the hook's handle."""
    seen = []
    return seen, model[0].auto_model.embeddings.register_forward_hook(lambda m, args, out: seen.append(out.shape[0] * out.shape[1]))


def test_grouped_by_length_the_embeddings_are_those_of_the_padded_batch_from_fewer_tokens(model):
    import torch

    from assistant.training.unpadded import embed_unpadded

    batch = [SHORT[0], LONG[0], SHORT[1], SHORT[2], LONG[1], SHORT[3]]  # the long ones in the middle: the order must come back
    features = model.tokenize(batch)
    model.eval()
    with torch.no_grad():
        padded = model(dict(features))["sentence_embedding"]
        seen, hook = _tokens_computed(model)
        grouped = embed_unpadded(model, dict(features), bucket=2)
    hook.remove()
    assert torch.allclose(padded, grouped, atol=1e-5)
    assert len(seen) == 3 and sum(seen) < 0.7 * features["input_ids"].numel()  # the four short ones were not padded to the long ones


@pytest.mark.parametrize("loss_name", ["MultipleNegativesRankingLoss", "TripletLoss"])
def test_in_training_an_unpadded_loss_draws_the_padded_dropout_and_has_its_value_and_gradients(model, loss_name):
    """Dropout on, from the same seed: the same loss and gradients (so the groups used the padded batch's masks, not
    masks of their own), the random stream left where the padded step leaves it (so the next step draws the same), and
    the encoder as it was (its attention implementation, its dropout modules training)."""
    import torch
    from sentence_transformers import losses

    from assistant.training.unpadded import unpadded

    columns = [SHORT, [LONG[0], SHORT[1], LONG[1], SHORT[0]], [SHORT[3], LONG[1], SHORT[2], LONG[0]]]  # anchor, positive, negative
    features = [dict(model.tokenize(c)) for c in columns]
    loss_class = getattr(losses, loss_name)
    encoder = model[0].auto_model
    model.train()

    def step(loss, seed=7):
        model.zero_grad()
        torch.manual_seed(seed)
        value = loss([dict(f) for f in features], None)
        value.backward()
        grad = encoder.encoder.layer[0].attention.self.query.weight.grad.clone()
        return value.detach(), grad, torch.rand(4)

    v0, g0, next0 = step(loss_class(model))
    v1, g1, next1 = step(unpadded(loss_class, 2)(model))
    assert torch.allclose(v0, v1, atol=1e-5) and torch.allclose(g0, g1, atol=1e-6, rtol=1e-3)
    assert g0.abs().max() > 1e-4  # the comparison is of real gradients
    assert torch.equal(next0, next1)
    assert not torch.allclose(step(unpadded(loss_class, 2)(model), seed=8)[0], v0, atol=1e-5)  # another seed, other masks: dropout was on
    assert encoder.config._attn_implementation == "sdpa" and all(m.training for m in encoder.modules())
    model.eval()


def test_fine_tuning_uses_the_unpadded_losses(tmp_path, monkeypatch):
    """Both of ``fine_tune``'s fine-tunings (the encoder's and the no-answer encoder's) embed through ``embed_unpadded``."""
    from assistant.embeddings import resolve_model_path
    from assistant.reader import RECIPE
    from assistant.training import train, unpadded

    calls = []
    real = unpadded.embed_unpadded
    monkeypatch.setattr(unpadded, "embed_unpadded", lambda m, f, bucket: calls.append(bucket) or real(m, f, bucket))
    no = RECIPE["no_answer"]
    rows = [("When does the last ferry leave?", LONG[0], SHORT[3]), ("Who runs the harbour?", LONG[1], SHORT[1]), ("When does the last ferry leave?", LONG[0], no)]
    train.fine_tune(resolve_model_path(RECIPE["base"]), rows, [], tmp_path, lambda m: None, threads=1)
    assert calls and set(calls) == {RECIPE["unpadded_bucket"]}
    assert len(calls) == RECIPE["epochs"] * 2 + 2  # two forwards a step (the anchors; the positives and negatives merged), one step an epoch, then the no-answer epoch
