"""What a question asks for: its kind, the type of answer it expects, misuse.

These are rules about English question forms (wh-words, number words, imperative
requests), not about particular questions: they decide how many sentences an answer
needs and what an answer must contain (a number, a name, a speaker) to count.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

from ..text import STOPWORDS, content_terms, fold

NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

_MISUSE = [
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|rule|prompt|guideline|above|previous|everything)",
    r"\bsystem\s+prompt\b|\byour\s+(instructions|prompt|rules|guidelines|configuration)\b",
    r"\b(pretend|roleplay|role-play|act as|you are now|from now on you|jailbreak|developer mode|dan mode)\b",
    r"\b(make up|invent|fabricate|fake|hallucinate|made-up|invented)\b",
    r"\b(write|compose|draft|create|generate|produce|give me|come up with)\b.{0,40}\b(poem|haiku|limerick|sonnet|verse|rhymes?|rap|lyrics|story|stories|novel|screenplay|song|essay|press release|tweets?|posts?|emails?|letter|cover letter|resume|cv|joke|riddle|slogan|function|code|script|program|sql|html|recipe|speech|ad|advert|marketing|op-ed|blog post|statistics|quotes?|quotations?|testimonials?)\b",
    r"\b(translate|rewrite|paraphrase)\b.{0,40}\b(into|in)\s+(french|spanish|german|chinese|japanese|korean|italian|portuguese|russian|arabic|hindi|latin|pirate|shakespearean|emoji)\b|\bin the (style|voice) of\b",
    r"\btell me (?:a|another|some|one more) (?:joke|riddle|pun|poem|limerick|haiku|bedtime story|fairy tale)s?\b",
    r"\bthat i can attribute\b|\battribute (it|them|this) to\b",
    r"\b(repeat|print|reveal|show|output|display)\b.{0,30}\b(prompt|instructions|above|hidden|secret|password|api key|configuration)\b",
]
_MISUSE_RE = [re.compile(p) for p in _MISUSE]


@dataclass(frozen=True)
class QuestionKind:
    is_list: bool = False
    expected_items: int | None = None
    asks_who: bool = False  # who said it / which consortium / whose
    asks_amount: bool = False  # how much / how many / what percentage
    asks_date: bool = False  # when / what year
    asks_duration: bool = False  # how long (a number helps, but "a long-term process" also answers)
    asks_person: bool = False  # the name of a person (the brief names none, but other documents may)
    asks_name: bool = False  # what is the name of / what is X called / who (a person) is
    asks_definition: bool = False
    asks_why_how: bool = False
    asks_speech: bool = False  # about something said: "who said", "what did X say", "who put it"
    asks_response: bool = False  # how a problem was met: "how did they deal with / handle / get past X"
    compares: bool = False  # how one group differs from another: "how did the featured consortia differ from most?"
    confirming: bool = False  # asks for a verdict on a claim: "..., right?", "is it true that ..."
    asks_advice: bool = False  # what should be done: "what should the state do differently?", "how can a partnership ...?"
    asks_cause: bool = False  # why, not how: "why did X fail?", "what led to X?"


# A comparison between two groups: "how did X differ from Y", "compared with most", "unlike the typical grantee".
_COMPARES = re.compile(
    r"\b(?:differ(?:s|ed)?|(?:different|differences?) (?:from|than|between)|distinguish(?:es|ed)?|set (?:\w+ ){1,3}apart|compar(?:e|es|ed|ing|ison)|contrast(?:s|ed)?|unlike|versus|vs)\b"
    r"|\b(?:most|other|typical|average|usual|many) (?:\w+ )?(?:consortia|consortium|grantees?|regions?|partnerships?|programs?)\b.*\b(?:did|do|does)\b"
)
_WHY = re.compile(r"^(?:why|what (?:made|makes|caused|causes|led to|leads to|explains|drove|drives)|for what reason)\b")
_CONFIRMING = re.compile(r"\b(?:right|correct|true|yes|yeah|no|isn't (?:it|that)|aren't they|didn't they|don't they|wasn't it|weren't they)\s*\?+\s*$|^(?:is it true|isn't it true|is that true|am i right|am i correct)\b")
_ASKS_ADVICE = re.compile(r"\b(?:should|suggest\w*|recommend\w*|advi[cs]\w*|tips?|do (?:things )?differently|want(?:ed)? (?:done|changed)|how (?:can|could) (?:a|an|we|i|you|they|one)\b)")
# Meeting a problem: the question's verb and the brief's ("managed that tension by ...") are one family.
COPING_VERBS = r"deal|deals|dealt|dealing|handl\w*|cop(?:e|ed|ing)|tackl\w*|navigat\w*|manag(?:e|ed|es|ing)|address(?:ed|es|ing)?|respond\w*|overc[ao]m\w*|resolv\w*|fix(?:ed|es|ing)?|solv\w*|work(?:ed)? through|got? (?:around|past)|get (?:around|past)|leaned into"
_COPING = re.compile(rf"\b(?:{COPING_VERBS})\b|\bdo about\b")


_OPENER = re.compile(
    r"^(?:(?:and|so|ok|okay|but|then|also|well|right|alright|hmm+|um+|oh)\b[\s,]*)+"
    # "journalist here - how did ...", "quick one: why ...": who is asking, then the question
    r"|^[^?]{0,60}?(?:\s[-–—]+|:)\s+(?=(?:how|what|why|who|which|when|where|did|do|does|is|are|was|were|can|could)\b)"
)


@lru_cache(maxsize=4096)  # read for every candidate sentence of a question
def plain_question(question: str) -> str:
    """The question folded, without a chatty opener ("and how did ...", "ok so why ..."): the rules
    below read its form from the first word."""
    return _OPENER.sub("", fold(question).strip())


DOCUMENT_NOUNS = r"brief|report|document|paper|publication|text|installment|study|article"  # what a document calls itself
_DOCUMENT = rf"(?:the|this|that|your) (?:{DOCUMENT_NOUNS})"
_PRESENTS = r"(?:feature|profile|highlight|spotlight|cover|focus|stud(?:y|ie)|examine|include|present)\w*"
# "Which consortia does the brief feature?", "What is this report about?": the document as a whole.
_ABOUT_DOCUMENT = re.compile(
    rf"^(?:is|was) {_DOCUMENT}\b|^(?:is|was) (?:this|it) (?:an? |one )(?:[\w\-]+ ){{0,2}}?(?:{DOCUMENT_NOUNS})\b|\b{_DOCUMENT}\s+(?:(?:is|was)\s+)?about\b|\b{_DOCUMENT}(?:\s+\w+){{0,2}}\s+{_PRESENTS}\b|\b{_PRESENTS} (?:in|by) {_DOCUMENT}\b"
)
# "Summarize the brief", "What are the main points?": an overview, not one detail.
_OVERVIEW = re.compile(
    rf"^(?:please |can you |could you )?(?:summari[sz]e|sum up|give (?:me )?(?:a |an )?(?:summary|overview|gist|rundown|tl;?dr))\b(?:(?:\s+\w+){{0,2}}\s+{_DOCUMENT}|\s*[.?!]*$)"
    rf"|^(?:tl;?dr|gist)\b"
    rf"|^(?:what(?:'s| is| was| are| were)|tell me) (?:the )?(?:main (?:point|idea|message|argument|takeaway)s?|key (?:point|takeaway|message|finding)s?|gist|summary|overview)(?: of {_DOCUMENT})?\s*[.?!]*$"
    rf"|^(?:what(?:'s| is| was)|tell me what) {_DOCUMENT}\s+(?:(?:is|was)\s+)?about\s*[.?!]*$"
    rf"|^what does {_DOCUMENT} (?:cover|say|discuss|describe)\s*[.?!]*$"
)


# "Why did X fall short, and what did they suggest?": two questions in one, each answered on its own.
_SECOND_QUESTION = re.compile(
    r"(?:,?\s+and\s+|\?\s+|;\s+)(?=(?:what|how|why|who|which|when|where|did|do|does|is|are|was|were|has|have|can|could|would|should)\b)",
    re.I,
)


_ASKER = re.compile(r"\b(?:I|I['’](?:m|d|ve|ll)|my|me)\b")
_SELF_CONTAINED = re.compile(r"(?:what|which|who|how|why|when|where)\b(?!.*\b(?:that|this|it|these|those)\b)", re.I)


def without_asker(question: str) -> str:
    """The question without what its asker says of themselves first: "what three lessons did the leaders
    learn?" of "As a community college dean I'd love the short version: what three lessons ...?". Only
    when the rest stands alone: "I read it was $50 million. Is that right?" needs what came before."""
    pieces = re.split(r"(?<=[.!:;])\s+", question.strip())
    if len(pieces) < 2 or not _ASKER.search(" ".join(pieces[:-1])) or not _SELF_CONTAINED.match(pieces[-1]):
        return question
    return pieces[-1]


@lru_cache(maxsize=1024)
def question_parts(question: str) -> tuple[str, ...]:
    """The questions a compound question asks, or () for a single one ("how and why ..." is one)."""
    parts = [p.strip(" ,;") for p in _SECOND_QUESTION.split(question.strip())]
    parts = [p for p in parts if len(p.split()) >= 3]
    return tuple(parts[:3]) if len(parts) >= 2 else ()


def about_document(question: str) -> bool:
    """The question is about the document as a whole, which its opening passages answer."""
    q = plain_question(question)
    return bool(_ABOUT_DOCUMENT.search(q) or _OVERVIEW.search(q))


def asks_overview(question: str) -> bool:
    """"What is this brief about?", "Summarize the report": answered by what the document says it is."""
    return bool(_OVERVIEW.search(plain_question(question)))


_PERSONAL = re.compile(
    r"^how (?:do|can|should|would|could) i (?:apply|enrol+|sign up|register|get into|qualify|find a job|get a job|get hired)\b"
    r"|\b(?:my|our) (?:kids?|child|children|son|daughter|teen(?:ager)?s?|baby|family|wife|husband|mom|dad|mother|father|parents?|grandkids?)\b"
)


def asks_personal_advice(question: str) -> bool:
    """About the asker's own family or application ("how do I get my kid into ...", "how do I apply
    for ..."): no brief about policy answers that."""
    return bool(_PERSONAL.search(plain_question(question)))


def is_misuse(question: str) -> bool:
    """An attempt to make the assistant do something other than answer from the brief."""
    q = fold(question)
    return any(p.search(q) for p in _MISUSE_RE)


SPEECH = re.compile(
    r"\b(said|say|says|saying|quot\w*|put it|describ\w*|remark\w*|comment\w*|reflect\w*|explain\w*|argu\w*|told|tell|"
    r"mention\w*|word(?:s|ed)?|call(?:s|ed)?|statement|talk\w*|speak\w*|spoke|noted?|observ\w*|recall\w*|voice\w*)\b"
)


@lru_cache(maxsize=4096)  # read for every candidate sentence of a question
def classify(question: str) -> QuestionKind:
    q = plain_question(question)
    count = None
    for w, n in NUMBER_WORDS.items():
        if re.search(rf"\b{w}\b", q):
            count = n
            break
    m = re.search(r"\b(\d+)\s+(?:main\s+|big\s+|key\s+|major\s+)?[a-z]+s\b", q)
    if count is None and m and int(m.group(1)) < 20:
        count = int(m.group(1))
    list_cues = re.search(
        r"\b(list|name (?:the|all|each)|which (?:kinds?|types?|groups?|sectors?|consortia|ones|partners|practitioners|lessons|steps|tasks)|what (?:kinds?|types?|sorts?)|what are (?:the|some)|what were (?:the|some)|what (?:steps|tasks|lessons|benefits|challenges|changes|signs|elements|ways|strategies|suggestions|things)|ways|examples)\b",
        q,
    )
    asks_who = bool(re.match(r"^(who|whose|which (?:leader|consortium|consortia|region|person|one))\b", q)) or bool(
        re.search(r"\b(who said|who (?:was|is) quoted|which consortium|whose leader|which leader|who made|who put it|attribut)", q)
    )
    asks_duration = bool(re.search(r"\b(how long|length|duration|how many (?:years|months|weeks)|how much time|time ?frame|timeline)\b", q))
    asks_amount = not re.search(r"\bhow much time\b", q) and (bool(re.search(r"\bwhat (?:was|is|were|are) the (?:[\w\-]+ ){0,2}(?:rates?|percentages?|numbers?|counts?|totals?|amounts?|size|budget|cost|sum)\b", q)) or bool(re.search(r"\b(how much|how many|what (?:percentage|percent|share|proportion|amount|number|sum|budget|dollar)|how large|how big|what was the (?:budget|total|cost)|what (?:did|does|would|will) [\w\- ]{1,40} cost)\b", q)))
    asks_date = bool(re.search(r"\b(when (?:was|were|did|is)|what year|which year|what date|in what year|publication date|published)\b", q))
    # "What salary ...", "What rating ...", "What deadline ...": nouns whose answer is a figure or a date.
    noun = asked_noun(question) or ""
    asks_amount = asks_amount or bool(_FIGURE_NOUN.fullmatch(noun))
    asks_date = asks_date or bool(_DATE_NOUN.fullmatch(noun))
    asks_name = bool(
        re.search(r"\b(which (?:[\w\-]+ ){0,3}?(?:companies|employers|businesses|firms|corporations|organi[sz]ations|schools|colleges|universities|districts|agencies|foundations|people|persons|individuals)|what (?:agency|organi[sz]ation|body|institution|district|office)|which (?:agency|organi[sz]ation|body|institution|district|office)|what does [\w\- ]{2,30} stand for|what(?:'s| is| was| are| were) the names? of|what (?:is|was) (?:it|that|this) called|what (?:is|was) [a-z\- ]{2,40} called|name of the|who (?:is|was|are|were) (?:the )?(?:[a-z]+ ){0,2}(?:authors?|writers?|directors?|superintendents?|presidents?|ceos?|heads?|founders?|funders?|researchers?)|who (?:\w+ly )?(?:wrote|authored|funded|founded|runs|directs|leads|heads|oversees|manages))\b", q)
    )
    asks_definition = bool(
        re.search(r"\b(what does .{2,60} mean|what(?:'s| is) meant|meaning of|what do(?:es)? (?:they|it|the brief) mean|define|definition|what is (?:a|an|the) |what (?:counts|qualifies) as)", q)
    )
    asks_cause = bool(_WHY.match(q)) and not asks_amount
    asks_why_how = (asks_cause or bool(re.match(r"^how\b", q))) and not asks_amount and not re.match(r"^how (long|often|soon|old|far)\b", q)
    is_list = (count is not None and count >= 2 and not asks_amount) or bool(list_cues)
    return QuestionKind(
        is_list=is_list,
        expected_items=count if is_list else None,
        asks_who=asks_who,
        asks_amount=asks_amount,
        asks_date=asks_date,
        asks_duration=asks_duration,
        # "which leader said ..." asks for a speaker, not a name; "the name of the leader quoted" asks for a name.
        asks_person=not (asks_who and SPEECH.search(q) and not re.search(r"\bnames? of\b", q)) and bool(
            re.search(
                r"\b(?:names? of (?:the |this |that |each )?|who (?:is|was|are|were) (?:the )?)(?:[\w\-'’]+ ){0,2}"
                r"(?:leader|person|director|superintendent|official|author|writer|principal|teacher|coordinator|manager|chair|president|ceo|founder|researcher)s?\b"
                # "Which governor ...": an office held by one named person
                r"|^(?:which|what) (?:[\w\-'’]+ ){0,2}(?:governor|mayor|senator|assemblymember|legislator|superintendent|chancellor|commissioner|ceo|president)s?\b"
                # "What's her job title?": a person's title, which only a named person has
                r"|\b(?:her|his|their|(?:the |that |this )?(?:leader|person|speaker)(?:'s|’s)) (?:[\w\-]+ )?(?:job title|title|job|position)s?\b",
                q,
            )
        ),
        asks_name=asks_name,
        asks_response=bool(_COPING.search(q)) and bool(re.search(r"(?:^|[.?!]\s+)(?:how|what)\b", q)),
        asks_definition=asks_definition,
        asks_why_how=asks_why_how,
        asks_speech=bool(SPEECH.search(q)),
        compares=bool(_COMPARES.search(q)),
        confirming=bool(_CONFIRMING.search(q)),
        asks_advice=bool(_ASKS_ADVICE.search(q)),
        asks_cause=asks_cause,
    )


# What follows the asked-for noun in "what/which <noun> ..." ("What salary do graduates earn?",
# "What is the capital of X?"): an auxiliary, a preposition or a past-tense verb.
_PAST_VERB = r"(?:got|comes?|came|went|made|took|grew|began|led|ran|kept|[a-z]+ed)"
_AFTER_NOUN = rf"(?:of|for|in|at|on|that|behind|did|does|do|is|was|are|were|has|have|had|can|could|would|will|{_PAST_VERB})"
_ASKED_NOUN = re.compile(rf"^(?:what|which)(?:'s| is| was| are| were)? (?:the |a |an )?((?:[a-z\-]+ ){{0,3}}?[a-z\-]+) {_AFTER_NOUN}\b")
# "What did the county superintendent say ...": the speaker asked about.
_ASKED_SPEAKER = re.compile(r"^(?:what|how) (?:did|does|do|has|have) (?:the |a |an |one |some |any )?((?:[a-z\-']+ ){0,5}?[a-z\-']+) (?:say|said|describe|explain|tell|put it|mean|argue|note|add|report|recall|warn)\b")
_HEAD_NOUN = re.compile(r"^(?:what|which)(?:'s| is| was| are| were)? (?:the |a |an )?(?:(?:kinds?|types?|sorts?|forms?) of )?([a-z\-]+)")
_LIST_PHRASE_ENDS = {"all", "me", "every", "each", "that", "which", "who", "in", "of", "from", "for", "the", "they", "had", "have", "has", "did", "said", "took"}
_NOT_ASKED = {"kind", "kinds", "type", "types", "sort", "sorts", "main", "big", "specific", "key", "major", "other", "exact", "particular", "brand", "the", "of"}


def identifies_referent(question: str) -> bool:
    """"Who said that?", "Which consortium was that leader from?": the question asks who or which of
    something the last turn said; its own words ("consortium", "leader") name no topic to search."""
    kind = classify(question)
    return kind.asks_who or kind.asks_name


@lru_cache(maxsize=4096)  # read for every candidate sentence of a question
def asked_noun(question: str) -> str | None:
    """The word naming what a question asks for: "salary" in "What salary do graduates earn?",
    "capital" in "What is the capital of X?", the speaker in "What did the superintendent say?".

    An answer has to be about this thing; the answerer checks that its evidence is (see
    ``ExtractiveAnswerer.decide``).
    """
    q = plain_question(question).rstrip("?!. ")
    q = re.sub(r"^(what|which) (?:kinds?|types?|sorts?|brands?|forms?) of ", r"\1 ", q)  # "what brand of laptops did"
    m = _ASKED_NOUN.match(q)
    if not m or re.fullmatch(_PAST_VERB, m.group(1).split()[0]):  # "what happened after the money ran out": a verb, no noun
        return asked_speaker(question)
    nouns = [w for w in m.group(1).split() if w not in _NOT_ASKED and w not in _QUESTION_FORM]
    return nouns[-1] if nouns else None


def asked_head_noun(question: str) -> str | None:
    """The asked noun when it comes right after "what" or "which" ("intermediary" in "What kind of
    intermediary did they set up?"), where the question surely asks for it: "What were the big jobs
    the consortia had?" asks for jobs, not for the consortia ``asked_noun`` reads."""
    noun = asked_noun(question)
    head = _HEAD_NOUN.match(plain_question(question))
    return noun if head and head.group(1) == noun else None


@lru_cache(maxsize=4096)  # read for every candidate sentence of a question
def listed_terms(question: str) -> frozenset[str]:
    """What a "list the ..." request asks to be listed: "implementation" and "task" in "list the
    implementation tasks every CCPT consortium had to tackle" (empty for any other question)."""
    m = re.match(r"^list\s+(.*)", plain_question(question))
    if not m:
        return frozenset()
    phrase: list[str] = []
    for w in m.group(1).split()[:6]:
        if w in _LIST_PHRASE_ENDS:
            if phrase:
                break
        elif w not in NUMBER_WORDS and not w.isdigit():
            phrase.append(w)
    named = {t for n in names_in(question) for t in content_terms(n)}  # "CCPT" says whose, not what
    return frozenset(t for t in content_terms(" ".join(phrase)) if t not in named)


@lru_cache(maxsize=4096)  # read for every candidate sentence of a question
def defined_term(question: str) -> str | None:
    """The words a definition question asks about, when it sets them apart: "regional infrastructure"
    in "what counts as 'regional infrastructure'?"."""
    m = re.search(r"(?:^|(?<=\s))['‘\"“]([a-z][a-z\- ]{2,60}?)['’\"”](?!\w)", fold(question))
    return m.group(1) if m and classify(question).asks_definition else None


@lru_cache(maxsize=4096)  # read for every candidate sentence of a question
def asked_speaker(question: str) -> str | None:
    """Who a "what did the X say" question asks about: "owner" in "What did a company owner in the
    region say?"; None for a name ("What did JFF say?") or a pronoun, which are checked elsewhere."""
    m = _ASKED_SPEAKER.match(plain_question(question))
    if not m:
        return None
    phrase = re.split(r"\s+(?:from|of|in|at|for|with|on)\s+", m.group(1))[0]
    head = phrase.split()[-1]
    said_as = re.search(rf"\b{re.escape(head)}\b", question, re.I)
    if head in STOPWORDS or head in _NOT_ASKED or not said_as or not said_as.group(0).islower():
        return None
    return head


_QUESTION_FORM = {"did", "does", "do", "is", "was", "are", "were", "has", "have", "had", "can", "could", "would", "will"}


# Nouns naming a sum of money, a score or a head count: what answers them is a figure.
_MONEY_NOUN = re.compile(r"salar(?:y|ies)|wages?|pay|tuition|fees?|prices?|tax(?:es)?|income|revenues?|earnings|stipends?|costs?|budgets?|spending|dollars?")
_SCORE_NOUN = re.compile(r"scores?|ratings?|rankings?|ranks?|grades?|gpa|marks?")
_COUNT_NOUN = re.compile(r"population|enrol(?:l)?ments?|headcount|attendance|turnout")
_FIGURE_NOUN = re.compile(rf"{_MONEY_NOUN.pattern}|{_SCORE_NOUN.pattern}|{_COUNT_NOUN.pattern}")
# A figure of a named kind (a tax, a salary, a score): documents that never name the kind cannot state it.
# Not "cost", "budget", "spending": the brief's "$500 million investment" is what CCPT cost.
NAMED_FIGURE_NOUN = re.compile(
    rf"salar(?:y|ies)|wages?|tuition|fees?|tax(?:es)?|income|revenues?|earnings|stipends?|{_SCORE_NOUN.pattern}|{_COUNT_NOUN.pattern}"
)
# A measured outcome ("did graduation rates go up?"): documents that never name the measure do not report it.
MEASURE_NOUN = re.compile(rf"rates?|percent(?:ages?)?|{NAMED_FIGURE_NOUN.pattern}")
_DATE_NOUN = re.compile(r"deadlines?|dates?|years?|months?")

_NUMBER_IN_TEXT = re.compile(r"\$?\d[\d,.]*\s*(?:%|percent|million|billion|thousand)?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)\b", re.I)
_YEAR = re.compile(r"\b(19|20)\d{2}\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b")


_SPAN = (
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|a few|many)[- ](?:years?|months?|weeks?|days?|decades?)\b"
    r"|\b(?:a|an|one)\s+(?:whole\s+|full\s+)?(?:year|month|week|day|decade)\b"
)
_DURATION = re.compile(rf"{_SPAN}|\blong[- ]term\b", re.I)
_STATED_SPAN = re.compile(_SPAN, re.I)


def has_duration(text: str) -> bool:
    """A stretch of time: "four-year", "18 months", "long-term"."""
    return bool(_DURATION.search(text))


def states_span(text: str) -> bool:
    """A stretch of time that says how long: "four-year", "a whole year"; not "long-term"."""
    return bool(_STATED_SPAN.search(text))


_FIGURE = re.compile(
    r"(\$\s?)?\b(\d[\d,]*(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty|hundred)"
    r"(?:[\s\-]+(?:more|full|whole|long|straight))?[\s\-]+(years?|months?|weeks?|days?|decades?|million|billion|thousand|percent|dollars?)\b|(\$\s?)(\d[\d,]*(?:\.\d+)?)",
    re.I,
)
_KIND_OF_INSTITUTION = re.compile(r"[\s\-]+(?:colleges?|universit(?:y|ies)|institutions?|schools?|degrees?)\b")
_WORD_NUMBERS = NUMBER_WORDS | {"one": 1, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100}


def figures_in(text: str) -> dict[tuple[float, str], str]:
    """The quantities a text states, as (number, unit): "four-year" and "4 years" are both (4, "year");
    "$500 million" is (500, "million"). Each maps to the words that state it."""
    out = {}
    folded = fold(text)
    for m in _FIGURE.finditer(folded):
        if _KIND_OF_INSTITUTION.match(folded, m.end()):
            continue  # "two-year colleges" names a kind of college, not a length of time
        raw, unit = (m.group(2), m.group(3)) if m.group(2) else (m.group(5), "dollar")
        number = _WORD_NUMBERS.get(raw.lower())
        if number is None:
            try:
                number = float(raw.replace(",", ""))
            except ValueError:
                continue
        out[(float(number), unit.lower().rstrip("s") if unit.lower() != "percent" else "percent")] = m.group(0).strip()
    return out


def has_number(text: str) -> bool:
    return bool(_NUMBER_IN_TEXT.search(text))


def has_date(text: str) -> bool:
    return bool(_YEAR.search(text))


_FIRST_PERSON = re.compile(r"I(?:['’](?:m|ve|d|ll))?")


@lru_cache(maxsize=65_536)  # the same sentences are read for many questions
def names_in(text: str) -> frozenset[str]:
    """Capitalised words that are not just the first word of the sentence."""
    out = set()
    for sentence in re.split(r"(?<=[.?!])\s+", text):  # "... profile? Name the consortia.": "Name" starts a sentence
        toks = re.findall(r"[A-Za-z][\w\-’']*", sentence)
        out.update(t for i, t in enumerate(toks) if t[:1].isupper() and i > 0 and not _FIRST_PERSON.fullmatch(t))
    return frozenset(out)


_MONEY = re.compile(
    r"\$\s?\d|\b\d[\d,.]*\s*(?:million|billion|thousand|dollars)\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred)\s+(?:million|billion|thousand)\b",
    re.I,
)


# A figure asked for the whole ("in total", "statewide") is answered by one stated for the whole.
_WHOLE_SCOPE = re.compile(r"\b(?:in total|altogether|overall|in all|statewide|state-wide|nationwide|across (?:the state|the country|california|all))\b")
_PER_PART = re.compile(r"\b(?:each (?:of|one|consortium|consortia|region|district|school|college|grantee|partner)|individually|apiece|per (?:consortium|region|district|school|college|grantee|student|partner))\b")
_WHOLE_SCOPE_IN_TEXT = re.compile(r"\b(?:total|altogether|overall|statewide|state-wide|nationwide|across the state)\b")


def _counted_noun(q: str) -> str | None:
    """The thing counted in "how many ...": "partners" in "how many business partners did ...",
    "employers" in "how many employers joined ..." (the word before an auxiliary, else the first)."""
    m = re.search(r"\bhow many\s+([\w\-]+(?:\s+[\w\-]+){0,3})", q)
    if not m:
        return None
    ws = m.group(1).split()
    for k, w in enumerate(ws[1:], start=1):
        if w in _QUESTION_FORM:
            return ws[k - 1]
    return ws[0]


# "How much did the state spend?", "how much did each one get?": a sum of money, not any number.
_SPENDING = re.compile(r"\bhow much\b(?! time\b)(?:\s+\w+){0,4}?\s+(?:spen[dt]|spending|cost|costs|pa(?:y|id)|invest\w*|receiv\w*|award\w*|gave|give|given|get|got|rais\w*|earn\w*|charg\w*|allocat\w*|fund\w*|worth|price|pour\w*|put|commit\w*|provid\w*|distribut\w*|disburs\w*|contribut\w*|donat\w*|budget\w*|secur\w*|w[io]n|obtain\w*|request\w*|grant\w*)\b")


def _wants_money(q: str, noun: str) -> bool:
    return bool(
        _MONEY_NOUN.fullmatch(noun)
        or _SPENDING.search(q)
        or re.search(r"\bhow much (?:\w+ )?(money|funding|funds?|dollars|cash|grant|invest\w*)\b|\bhow much \$|\bdollar (?:amount|figure|value|total|sum)s?\b|\b(?:award|grant) (?:amount|size)s?\b|\bin dollars\b|\bhow (?:big|large)\b.*\b(?:grants?|awards?|allocations?)\b(?! program)|\bbudget\b|\bcost\b|\binvest", q)
    )


def wanted_figure(question: str) -> str | None:
    """The kind of figure a question asks for, whose passages should be among its candidates
    however its words match them ("How much did California put in?": "a statewide investment of
    $500 million"): "money", "date" or None. ``FIGURE_TESTS`` tells a passage holding one."""
    kind = classify(question)
    if kind.asks_amount and _wants_money(fold(question), asked_noun(question) or ""):
        return "money"
    if kind.asks_date:
        return "date"
    return None


def holds_amount(question: str, text: str) -> bool:
    """Does ``text`` hold the kind of figure ``question`` asks for: money for "how much money",
    a share for "what percentage", a count of the thing counted for "how many employers"?"""
    q = fold(question)
    if _WHOLE_SCOPE.search(q) and not _WHOLE_SCOPE_IN_TEXT.search(fold(text)):
        return False  # "how many consortia were funded statewide": not the four this brief features
    if _PER_PART.search(q) and _WHOLE_SCOPE_IN_TEXT.search(fold(text)):
        return False  # "how much did each consortium receive": not the statewide total
    noun = asked_noun(question) or ""
    if _SCORE_NOUN.fullmatch(noun) or _COUNT_NOUN.fullmatch(noun):
        return bool(re.search(r"\d", text))  # a score, a rank, a head count is written as a figure
    if _wants_money(q, noun):
        return bool(_MONEY.search(text))
    if re.search(r"\bpercent|\bpercentage\b|\bshare\b|\bproportion\b|\brates?\b", q):
        return bool(re.search(r"\d\s?%|\bpercent\b", text))
    counted = _counted_noun(q)
    if counted in ("dollar", "dollars"):
        return bool(_MONEY.search(text))
    unit = content_terms(counted) if counted else []
    if not unit:
        return has_number(text)
    toks = text.split()
    return any(unit[0] in content_terms(tok) and any(has_number(w) for w in toks[max(0, k - 4) : k + 1]) for k, tok in enumerate(toks))


FIGURE_TESTS = {"money": lambda text: bool(_MONEY.search(text)), "date": has_date}
