"""The hand-written rules that remain beside the learned reader, by name.

Each holds for any English document (none names anything of one document), can be switched
off with ``ASSISTANT_DISABLED_RULES=name,name`` (or ``--disable-rule``), and has its measured
effect in BENCHMARKS.md (``bench/ablation.py`` switches each off in turn).
"""
from __future__ import annotations

RULES: dict[str, str] = {
    "misuse": "decline requests to ignore instructions, reveal the prompt, role-play or invent text",
    "small_talk": "a message that is only a greeting, thanks or goodbye ('hi', 'ok thanks!', 'bye') is answered with what the assistant does and a few topics the documents cover, not with 'the documents don't say'; nothing is looked up, and it counts as declined",
    "follow_up": "a question that leans on the conversation ('why?', 'who said that?', 'and if it rains?') is searched with the previous turn; a next question that names what it asks about and points nowhere, or points back but names enough of its own ('If a font is caught by both lists, does it get excluded?'), stands alone; 'this policy', 'these documents' point at the documents, not at the last turn ('that report' may be one the last turn named)",
    "expletive_it": "an 'it' that stands for the clause after it ('is it true that ...', 'it's ok to ...', 'would it be a good idea to ...', 'how long does it take to ...') does not point back at the last turn, nor does that clause's 'that': a next question that names little of its own stands alone ('is it true that the ford floods?'); 'Is it safe?', 'is it related to X?' still point back",
    "listed_item": "'the second one' searches with that item of the previous answer's list (parted by the marks that open it, semicolons, commas or 'and': the first parting that gives as many items as the answer announces), or of the last of the three answers before that gave a list ('and the third one?' after 'tell me more about the second one'); the answer gives what the list did not say: the sentences the previous answer gave word for word are not given again",
    "short_name": "a thing is searched by the short name the documents go on to use for it: 'the second one' of a list whose item gives one in brackets ('the Point Ash light (or Ash Light, run by the county)', '(HPA, based in ...)') is searched as 'tell me more about Ash Light'; a name written out in full that the documents give initials ('the Regional Water Board (RWB)') is searched with the initials too",
    "shorthand": "chat shorthand in a question is read as the words it stands for ('can u list ...' as 'can you list ...')",
    "typo": "a question word that neither the documents nor English know, one edit from a word the documents use, is read as that word ('randomnes' as 'randomness'); a contraction typed without its apostrophe ('whats', 'dont') as the contraction",
    "acronym": "a question that asks only what a set of initials is ('What is the RWB?') or what they stand for ('What does RWB stand for?') is searched with the name the documents spell out for them ('the Regional Water Board (RWB)': the words before the brackets whose initials they are, or the name in brackets or after a colon or dash after them); a sentence that spells them out answers; asked what they stand for where no brackets tie a name to them, words in capitals whose initials they are (three letters or more: 'the Tide Safety Authority office') are searched for and their sentence answers; and when the documents never spell them out, they do not say what they stand for",
    "overview": "a question about a document as a whole ('What is this report about?', 'Summarize the report', 'What are the main findings?', 'Summarize it in three bullet points': every word it names names a document, asks for a gist or says the form wanted) is answered with the document's opening: its first sentences, from the first whose words the rest of the document uses (not a site's navigation or a title page)",
    "definition": "a question that only asks what a short term is ('What is a widget?', 'in plain terms, what's a slipway?', 'define moorage', 'who is the Harbour Trust?') also reads the passages with a sentence that defines it by its shape ('A widget is ...', 'Widgets (or gadgets) are ...', 'The Harbour Trust means ...'), when retrieval did not bring them: the reranker decides whether they answer",
    "count": "a 'how many X?' question is answered when one of the three best sentences gives a number of X ('the harbour runs four blue ferries' for 'How many ferries are there?'), where the decider would decline: the documents say how many",
    "asker_preamble": "what the asker says of themselves before a question that stands alone, or after it ('... ? I need it for my notes'), is left out of the search",
    "hedge": "an answer the decider gives less than even odds that the documents hold (it answers down to a lower probability, chosen so that few answerable questions are declined) comes with a notice that the documents may not answer it directly: on the tuning documents such answers are wrong about twice as often as the others; not an answer a rule gave because it found what was asked (`count`, `acronym`)",
    "antecedent": "a chosen sentence that refers back ('This ...', 'They ...', 'Note that ...', 'X, on the other hand, ...', 'While this ..., ...'; not 'There are several ...', which introduces something new, though 'There are other ...' refers back) brings the sentence before it, and that one its own when it refers back too",
    "introduced": "a chosen sentence that follows a sentence ending with ':' (the example, command or item it introduces) brings that sentence, from the passage before when the index cut between them",
    "heading_antecedent": "a chosen sentence that opens its section and refers back ('This element ...') is shown under the heading it refers to",
    "heading_term": "a chosen sentence that opens a section whose heading names a code term (a flag, a call, an element, an environment variable: '`-c`, `--check`', 'NODE_OPTIONS=options') is shown under that heading: in a reference manual the sentence is about the term and often does not name it ('Syntax check the script without executing.')",
    "announced_list": "a sentence of the answer that announces a list (ends with ':') brings the list: its items, and a sentence explaining an item when another item follows, into the next passage of the section when the items run on",
    "sibling_items": "when a list is asked for and a chosen sentence is a marked item ('(c) You must retain ...', '- ...', '3. ...') of a list its passage announces ('... provided that You meet the following conditions:'), the announcement and the list join (as `announced_list` brings them), within the budget",
    "quotation": "a chosen sentence that opens a quotation brings the rest of it, to its closing mark (within the budget)",
    "enumeration": "when a list is asked for and the best sentence opens a counted sequence ('First, ...'), the retrieved sentences that go on with it ('Second, ...', 'Finally, ...') join, and so do the items between the opening and a later item that retrieval did not bring (from the passages between them)",
    "continuation": "a short answer goes on with the sentence after its best one, in the next passage of its section when its own ends there (the rest of what it begins: the items it announces, the other half of a contrast, the fix after the problem)",
    "follow_on": "the sentence after a chosen one joins it when it refers back to it ('However, ...', 'This means ...'); after the best one within the answer's word limit, also from the next passage of its section when the best ends its own; after another chosen one within the allowance cohesion has beyond that limit ('However, You may do so only on Your own behalf.' qualifies the sentence it follows)",
    "document_question": "a question the document asks (a FAQ's, or a sentence that is its section's heading, as a FAQ's question is with or without '?') is answered by what follows it: a sentence of the answer that asks brings the sentences after it, into the next passage of its section, up to the next question and within the answer's word limit",
    "coverage": "a question word no sentence of the answer holds brings the next best-ranked sentence that holds it ('How much larger than sed are awk and perl?': the sentence on perl, when the best ones speak of awk), within the answer's word limit",
    "speaker": "a quoted sentence is shown with the speaker the document names for it",
}


def check(names: set[str]) -> set[str]:
    unknown = sorted(names - RULES.keys())
    if unknown:
        raise ValueError(f"unknown rule(s) {', '.join(unknown)}; known: {', '.join(RULES)}")
    return names
