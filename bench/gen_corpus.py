#!/usr/bin/env python3
"""Synthetic Hugo corpus: N posts with the statistics of a real site.

Learns from a content folder (for example ../shared/corpus/istio.io/content)
its language mix, word frequencies per language (Chinese by character),
front-matter keys and tags, and the shape of its pages: headings,
paragraph and sentence lengths, lists, code blocks, shortcodes and links.
Then writes N posts drawn from those statistics with a seeded generator, so
the same seed gives the same corpus, byte for byte.  Text is drawn word by
word: no sentence of the source is copied.  The vocabulary is the learned
one plus a Zipf tail of made-up words (from the source's letter pairs), so
it keeps growing with the corpus as real vocabularies do (Heaps' law).
Words are also topical, as on a real site: each post takes a page of the
source as its topic and draws about half of its words from that page's
bag of words (not its sentences), so a word like "ztunnel" is frequent in
some posts and absent from most, instead of sprinkled over every post.
Without topics, the words of a query matched two to four times as many
posts as on the real site (ztunnel: 25% of posts against 7%).

  bench/gen_corpus.py --from ../shared/corpus/istio.io/content \\
      --posts 10000 --seed 1 --out /tmp/corpus-10k

Posts go to OUT/content/<lang>/posts/<bucket>/<name>/index.md, 1000 per
bucket.  Sizes used by the benchmarks: 10k, 100k, 1M.  With --first K the
posts are numbered from K, so several processes with their own seeds can
write one large corpus together (bench/scale_1m.sh).
"""
import argparse
import bisect
import collections
import itertools
import os
import random
import re
import sys

WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
HAN = re.compile(r"[\u4e00-\u9fff]")
SHORTCODE = re.compile(r"\{\{<\s*/?\s*([\w-]+)")
CODE = re.compile(r"```[^\n]*\n(.*?)```|\{\{<\s*text[^>]*>\}\}(.*?)"
                  r"\{\{<\s*/text\s*>\}\}", re.S)
LINK = re.compile(r"\]\(([^)]+)\)")
TAGS = re.compile(r"^(keywords|tags)\s*:\s*\[(.*)\]\s*$", re.M)


class Dist:
    """A discrete distribution to draw from, by cumulative weights."""

    def __init__(self, counter):
        items = counter.most_common()
        self.values = [v for v, _ in items] or [""]
        self.cum = list(itertools.accumulate(c for _, c in items)) or [1]

    def draw(self, rnd, k=1):
        return rnd.choices(self.values, cum_weights=self.cum, k=k)


class Model:
    def __init__(self):
        self.langs = collections.Counter()
        self.words = collections.defaultdict(collections.Counter)
        self.han = collections.Counter()
        # Letter pairs per language, for made-up words.
        self.pairs = collections.defaultdict(collections.Counter)
        self.code_words = collections.Counter()
        self.tags = collections.Counter()
        self.shortcodes = collections.Counter()
        self.paired = set()  # shortcodes that have a closing tag
        self.para_words = collections.Counter()
        self.sent_words = collections.Counter()
        self.paras_per_section = collections.Counter()
        self.sections = collections.Counter()
        self.code_lines = collections.Counter()
        self.n_pages = 0
        self.n_code = self.n_lists = self.n_short = self.n_links = 0
        self.n_paras = 0
        # Per source page of each language: its words (Chinese: its
        # characters), the topics that posts draw from.
        self.topics = collections.defaultdict(list)
        self.cur = None

    def learn(self, root):
        for d, _, files in os.walk(root):
            for f in sorted(files):
                if f.endswith(".md"):
                    rel = os.path.relpath(os.path.join(d, f), root)
                    text = open(os.path.join(d, f), encoding="utf-8",
                                errors="replace").read()
                    lang = rel.split(os.sep)[0]
                    self.cur = (collections.Counter(), collections.Counter())
                    self.learn_page(lang, text)
                    if self.cur[0] or self.cur[1]:
                        self.topics[lang].append(self.cur)

    def learn_page(self, lang, text):
        self.n_pages += 1
        self.langs[lang] += 1
        fm = ""
        if text.startswith("---"):
            end = text.find("\n---", 3)
            if end > 0:
                fm, text = text[3:end], text[end + 4:]
        for m in TAGS.finditer(fm):
            for t in m.group(2).split(","):
                t = t.strip().strip("\"'")
                if t:
                    self.tags[t] += 1
        for body in CODE.findall(text):
            lines = body[0] or body[1]
            lines = lines.strip("\n").splitlines()
            for l in lines:
                self.code_words.update(WORD.findall(l))
            self.n_code += 1
            self.code_lines[max(1, min(len(lines), 60))] += 1
        text = CODE.sub("\n\n", text)
        sections, paras = 1, 0
        for block in re.split(r"\n\s*\n", text):
            lines = block.strip().splitlines()
            if not lines:
                continue
            first = lines[0]
            self.shortcodes.update(SHORTCODE.findall(block))
            self.paired.update(re.findall(r"\{\{<\s*/\s*([\w-]+)", block))
            self.n_short += len(SHORTCODE.findall(block))
            if first.startswith("#"):
                self.paras_per_section[min(paras, 30)] += 1
                sections, paras = sections + 1, 0
                continue
            if first.lstrip().startswith(("* ", "- ", "1. ")):
                self.n_lists += 1
            self.n_links += len(LINK.findall(block))
            paras += 1
            self.n_paras += 1
            self.learn_text(lang, re.sub(r"\{\{<[^>]*>\}\}|\([^)]*\)", " ",
                                         block))
        self.paras_per_section[min(paras, 30)] += 1
        self.sections[min(sections, 40)] += 1

    def learn_text(self, lang, text):
        han = HAN.findall(text)
        if han:
            self.han.update(han)
            if self.cur is not None:
                self.cur[1].update(han)
        words = WORD.findall(text)
        if not han:
            self.para_words[min(len(words), 300) // 5 * 5 + 1] += 1
        for s in re.split(r"[.!?。！？]\s*", text):
            n = len(WORD.findall(s)) + len(HAN.findall(s)) // 2
            if n:
                self.sent_words[min(n, 80)] += 1
        for w in words:
            if not HAN.search(w):
                self.words[lang][w] += 1
                if self.cur is not None:
                    self.cur[0][w] += 1
                lw = "^" + w.lower() + "$"
                self.pairs[lang].update(lw[i:i + 2]
                                        for i in range(len(lw) - 1))


def background(counts, pages, which):
    """counts, each weighted by the share of `pages` (their item `which`)
    that have the word."""
    pages = [p[which] for p in pages or () if p[which]]
    if not pages:
        return counts
    df = collections.Counter()
    for p in pages:
        df.update(p.keys())
    out = collections.Counter()
    for w, c in counts.items():
        out[w] = max(1, round(c * df[w] / len(pages) * 100))
    return out


class Writer:
    def __init__(self, model, seed, zipf_s=1.3, new_word_rate=0.03,
                 topic_rate=0.5):
        self.rnd = random.Random(seed)
        m = self.model = model
        self.langs = Dist(m.langs)
        # The words drawn outside a post's topic: each word weighs by its
        # count times the share of pages that have it, so words found on
        # every page ("the", "istio") keep their weight and topical ones
        # ("ztunnel") come mostly through topics.
        self.words = {lang: Dist(background(c, m.topics.get(lang), 0))
                      for lang, c in m.words.items()}
        self.han = Dist(background(m.han, m.topics.get("zh"), 1))
        self.code = Dist(m.code_words)
        self.tags = Dist(m.tags)
        self.shortcodes = Dist(m.shortcodes)
        self.sent = Dist(m.sent_words)
        self.paras = Dist(m.paras_per_section)
        self.sections = Dist(m.sections)
        self.code_lines = Dist(m.code_lines)
        self.zipf_s = zipf_s
        self.new_rate = new_word_rate
        self.nexts = {}
        for lang, pairs in m.pairs.items():
            nexts = collections.defaultdict(collections.Counter)
            for p, c in pairs.items():
                nexts[p[0]][p[1]] = c
            self.nexts[lang] = {a: Dist(c) for a, c in nexts.items()}
        self.made = {}
        self.topic_rate = topic_rate
        # Per topic page: (Dist of its words or None, Dist of its Han
        # characters or None).
        self.topics = {lang: [(Dist(w) if w else None,
                               Dist(h) if h else None) for w, h in pages]
                       for lang, pages in m.topics.items()}
        self.topic = (None, None)  # the current post's topic page
        self.topic_lang = None
        self.p_code = m.n_code / max(1, m.n_paras)
        self.p_list = m.n_lists / max(1, m.n_paras)
        self.p_short = m.n_short / max(1, m.n_paras) / 2
        self.p_link = m.n_links / max(1, m.n_paras) / 3

    def new_word(self, lang):
        """A made-up word of Zipf-distributed rank in an endless list."""
        u = 1.0 - self.rnd.random()
        rank = int(u ** (-1.0 / (self.zipf_s - 1.0)))
        w = self.made.get((lang, rank))
        if w is None:
            r = random.Random(rank * 7919 + 17)
            nexts = self.nexts.get(lang) or self.nexts.get("en") or {}
            out, c = [], "^"
            while len(out) < 14:
                d = nexts.get(c)
                if not d:
                    break
                c = d.draw(r)[0]
                if c == "$":
                    if len(out) >= 3:
                        break
                    continue
                out.append(c)
            w = "".join(out) or "zeta%d" % rank
            if len(self.made) < 2_000_000:
                self.made[(lang, rank)] = w
        return w

    def words_of(self, lang, n):
        ws = self.words.get(lang) or self.words.get("en")
        out = ws.draw(self.rnd, n)
        topic = self.topic[0] if lang == self.topic_lang else None
        for i in range(n):
            if topic and self.rnd.random() < self.topic_rate:
                out[i] = topic.draw(self.rnd)[0]
            elif self.rnd.random() < self.new_rate:
                out[i] = self.new_word(lang if lang in self.nexts else "en")
        return out

    def sentence(self, lang):
        n = max(3, self.sent.draw(self.rnd)[0])
        if lang == "zh":
            chars = self.han.draw(self.rnd, n * 2)
            topic = self.topic[1] if self.topic_lang == "zh" else None
            for i in range(len(chars) if topic else 0):
                if self.rnd.random() < self.topic_rate:
                    chars[i] = topic.draw(self.rnd)[0]
            # A technical term in Latin letters now and then, as in docs.
            if self.rnd.random() < 0.5:
                chars.insert(self.rnd.randrange(len(chars) + 1),
                             " %s " % self.words_of("en", 1)[0])
            return "".join(chars) + "。"
        ws = self.words_of(lang, n)
        if self.rnd.random() < self.p_link:
            i = self.rnd.randrange(len(ws))
            ws[i] = "[%s](/docs/%s/)" % (ws[i], self.words_of("en", 1)[0]
                                         .lower())
        s = " ".join(ws)
        return s[0].upper() + s[1:] + "."

    def paragraph(self, lang):
        n = max(1, self.rnd.choice((1, 2, 2, 3, 3, 4, 5)))
        if self.rnd.random() < self.p_list:
            return "\n".join("* " + self.sentence(lang) for _ in range(n + 1))
        return " ".join(self.sentence(lang) for _ in range(n))

    def code_block(self):
        lines = []
        for _ in range(max(1, self.code_lines.draw(self.rnd)[0])):
            k = self.rnd.randint(1, 8)
            lines.append(" ".join(self.code.draw(self.rnd, k)))
        return "{{< text bash >}}\n$ %s\n{{< /text >}}" % "\n".join(lines) \
            if self.rnd.random() < 0.5 else \
            "```yaml\n%s\n```" % "\n".join(lines)

    def shortcode(self, lang):
        name = self.shortcodes.draw(self.rnd)[0]
        if name == "text":
            return self.code_block()
        if name in self.model.paired:
            return "{{< %s >}}\n%s\n{{< /%s >}}" % (name,
                                                   self.paragraph(lang), name)
        return "{{< %s >}}" % name

    def title(self, lang, n):
        if lang == "zh":
            return "".join(self.han.draw(self.rnd, n * 2))
        return " ".join(w.capitalize() for w in self.words_of(lang, n))

    def post(self, k):
        rnd = self.rnd
        lang = self.langs.draw(rnd)[0]
        pages = self.topics.get(lang)
        self.topic = rnd.choice(pages) if pages else (None, None)
        self.topic_lang = lang
        date = "%04d-%02d-%02d" % (rnd.randint(2017, 2025),
                                   rnd.randint(1, 12), rnd.randint(1, 28))
        tags = sorted(set(self.tags.draw(rnd, rnd.randint(2, 6))))
        fm = ["---", 'title: "%s"' % self.title(lang, rnd.randint(3, 9)),
              'description: "%s"' % self.sentence(lang).replace('"', "'"),
              "publishdate: %s" % date,
              'attribution: "%s"' % self.title("en", 2),
              "keywords: [%s]" % ",".join(t.replace(",", " ")
                                          for t in tags), "---", ""]
        body = []
        for s in range(max(1, self.sections.draw(rnd)[0])):
            if s:
                body.append("## " + self.title(lang, rnd.randint(2, 6)))
            for _ in range(self.paras.draw(rnd)[0]):
                body.append(self.paragraph(lang))
                if rnd.random() < self.p_code:
                    body.append(self.code_block())
                if rnd.random() < self.p_short:
                    body.append(self.shortcode(lang))
        rel = os.path.join(lang, "posts", "%04d" % (k // 1000),
                           "post-%07d" % k, "index.md")
        return rel, "\n".join(fm) + "\n" + "\n\n".join(body) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="src", required=True,
                    help="content folder to learn from")
    ap.add_argument("--posts", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first", type=int, default=0,
                    help="number of the first post (default 0): a large "
                    "corpus can be written by several processes, each "
                    "with its own seed and range")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    model = Model()
    # A site root: learn from its content folder, whose first level is
    # the languages.
    if os.path.isdir(os.path.join(a.src, "content")):
        a.src = os.path.join(a.src, "content")
    model.learn(a.src)
    if not model.n_pages:
        sys.exit("no markdown files in %s" % a.src)
    w = Writer(model, a.seed)
    content = os.path.join(a.out, "content")
    total = 0
    for k in range(a.first, a.first + a.posts):
        rel, text = w.post(k)
        path = os.path.join(content, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = text.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        total += len(data)
        if k > a.first and (k - a.first) % 10000 == 0:
            print("%d posts, %.0f MB" % (k - a.first, total / 1e6),
                  file=sys.stderr)
    print("%d posts, %.1f MB in %s" % (a.posts, total / 1e6, content),
          file=sys.stderr)


if __name__ == "__main__":
    main()
