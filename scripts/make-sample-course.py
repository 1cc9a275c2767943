#!/usr/bin/env python3
"""Builds the Relais sample course: a small, realistic French course tree.

Usage: scripts/make-sample-course.py [--skip-large] OUT_DIR

Deterministic: every run writes the same bytes and the same mtimes
(2026-03-16 08:00 UTC), so a publish of the tree is reproducible and a second
publish of an unchanged tree changes nothing. Python 3 standard library only.

What the tree exercises (paths relative to OUT_DIR):
  index.html, lecons/index.html, lecons/*/index.html   HTML with links between pages
  css/cours.css, js/cours.js                           linked from every page
  fiches/*.pdf                                         real multi-page PDFs (Helvetica)
  fiches/Séance 3 — fractions.pdf                      accents, spaces and an em dash
  videos/lecon-fractions.mp4, .fr.vtt                  H.264/AAC +faststart, subtitles
                                                       (copied from sample-course/)
  videos/cours-complet-archive.bin                     large file for range tests
  data/progression.json, images/*.svg                  JSON, SVG
  ressources/enseignants/notes-vides.txt               an empty file
  ressources/enseignants/corriges/index.html           deeper nesting

Files of OUT_DIR that this script does not write are left alone (it never
deletes), and their mtimes are set too.

The large file (omitted with --skip-large) is LARGE_FILE_SIZE bytes; its bytes
are defined so a test can recompute any range without reading the file:
  chunk i (1 MiB, the last one truncated) =
      SHAKE-256(b"relais sample archive chunk %d" % i).digest(1 MiB)
"""

import hashlib
import json
import os
import shutil
import sys
import zlib
from datetime import datetime, timezone

MTIME = int(datetime(2026, 3, 16, 8, 0, tzinfo=timezone.utc).timestamp())
MIB = 1 << 20
# 50 MiB and an odd tail, so the last range of the file is not chunk-aligned.
LARGE_FILE_SIZE = 50 * MIB + 12345
LARGE_FILE_PATH = "videos/cours-complet-archive.bin"
SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sample-course")
SEANCE3 = "Séance 3 — fractions.pdf"


def large_file_chunk(index):
    """Bytes of 1 MiB chunk `index` of the large file (see the module docstring)."""
    return hashlib.shake_256(b"relais sample archive chunk %d" % index).digest(MIB)


# ---------------------------------------------------------------- HTML, CSS, JS

LESSONS = [
    {
        "slug": "01-decouvrir-les-fractions",
        "title": "Découvrir les fractions",
        "intro": "Quand on partage une pizza, une tablette de chocolat ou une bande de papier "
                 "en parts égales, chaque part est une fraction du tout. Dans cette séance, "
                 "nous apprenons à lire, écrire et représenter une fraction.",
        "points": [
            "Le dénominateur (en bas) indique en combien de parts égales on partage l'unité.",
            "Le numérateur (en haut) indique combien de parts on prend.",
            "On lit 3/8 « trois huitièmes », 1/2 « un demi », 1/4 « un quart ».",
            "Si le numérateur est égal au dénominateur, la fraction vaut 1 : 4/4 = 1.",
        ],
        "exercise": "Colorie 3/8 de la pizza, puis écris la fraction de la pizza qui n'est pas coloriée.",
        "answer": "La partie non coloriée représente 5/8 de la pizza, car 8 − 3 = 5.",
        "sheet": "fiche-01-partager-en-parts-egales.pdf",
        "video": True,
    },
    {
        "slug": "02-comparer-des-fractions",
        "title": "Comparer des fractions",
        "intro": "Deux élèves ont mangé une part de la même tarte : Léa en a mangé 2/6 et "
                 "Karim 4/6. Qui en a mangé le plus ? Pour répondre, on compare des fractions.",
        "points": [
            "Avec le même dénominateur, la plus grande fraction est celle qui a le plus grand numérateur.",
            "Avec le même numérateur, la plus grande fraction est celle qui a le plus petit dénominateur : 1/3 > 1/5.",
            "Une fraction est plus petite que 1 quand son numérateur est plus petit que son dénominateur.",
            "On peut placer les fractions sur une droite graduée pour les ranger.",
        ],
        "exercise": "Range dans l'ordre croissant : 5/4 ; 1/4 ; 3/4 ; 4/4.",
        "answer": "1/4 < 3/4 < 4/4 < 5/4.",
        "sheet": "fiche-02-comparer-des-fractions.pdf",
        "video": False,
    },
    {
        "slug": "03-fractions-decimales",
        "title": "Des fractions aux nombres décimaux",
        "intro": "Les fractions dont le dénominateur est 10, 100 ou 1 000 s'appellent des fractions "
                 "décimales. Elles nous mènent tout droit aux nombres à virgule.",
        "points": [
            "7/10 se lit « sept dixièmes » et s'écrit aussi 0,7.",
            "25/100 se lit « vingt-cinq centièmes » et s'écrit aussi 0,25.",
            "10 dixièmes font une unité : 10/10 = 1.",
            "Pour passer des dixièmes aux centièmes, on multiplie le numérateur et le dénominateur par 10 : 3/10 = 30/100.",
        ],
        "exercise": "Écris sous forme de nombre décimal : 4/10 ; 37/100 ; 125/100.",
        "answer": "0,4 ; 0,37 ; 1,25.",
        "sheet": SEANCE3,
        "video": False,
    },
]


def page(title, depth, body, description):
    up = "../" * depth
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{description}">
<title>{title} — Mathématiques CM1-CM2</title>
<link rel="stylesheet" href="{up}css/cours.css">
<link rel="icon" href="{up}images/logo-relais.svg" type="image/svg+xml">
<script src="{up}js/cours.js" defer></script>
</head>
<body>
<header class="bandeau">
  <a class="logo" href="{up}index.html"><img src="{up}images/logo-relais.svg" alt="" width="32" height="32"> Ma classe à la maison</a>
  <nav aria-label="Navigation principale">
    <a href="{up}index.html">Accueil</a>
    <a href="{up}lecons/index.html">Leçons</a>
    <a href="{up}ressources/enseignants/corriges/index.html">Espace enseignants</a>
  </nav>
</header>
<main>
{body}
</main>
<footer>
  <p>Cours d'exemple de Relais — contenu libre de réutilisation pour les tests. Publié le 16 mars 2026 à 8 h.</p>
</footer>
</body>
</html>
"""


def href(path):
    """Percent-encodes a relative link (UTF-8), keeping '/'."""
    out = []
    for b in path.encode("utf-8"):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-._~/"):
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def home_page():
    items = "\n".join(
        f'    <li><a href="lecons/{l["slug"]}/index.html">Séance {i + 1} : {l["title"]}</a></li>'
        for i, l in enumerate(LESSONS))
    body = f"""<h1>Les fractions au cycle 3</h1>
<p class="chapo">Bienvenue ! Ce parcours de trois séances accompagne les élèves de CM1 et de CM2
qui travaillent à la maison. Chaque séance comprend une leçon courte, un exercice corrigé et une
fiche à imprimer ou à remplir à l'écran.</p>
<section>
  <h2>Les séances</h2>
  <ol class="seances">
{items}
  </ol>
  <p><a href="lecons/index.html">Voir toutes les leçons</a></p>
</section>
<section>
  <h2>Conseils pour les familles</h2>
  <ul>
    <li>Prévoyez vingt à trente minutes par séance, de préférence le matin.</li>
    <li>Les fiches s'impriment en noir et blanc ; on peut aussi répondre sur une feuille de cahier.</li>
    <li>La vidéo de la séance 1 dure dix secondes et se regarde même avec une connexion lente.</li>
    <li>Le <a href="data/progression.json">fichier de progression</a> décrit le parcours pour les applications.</li>
  </ul>
</section>
<figure>
  <img src="images/pizza-trois-huitiemes.svg" alt="Une pizza partagée en huit parts égales dont trois sont coloriées" width="240" height="240">
  <figcaption>3/8 de la pizza sont coloriés.</figcaption>
</figure>
"""
    return page("Accueil", 0, body, "Parcours de trois séances sur les fractions pour le cycle 3")


def lessons_index():
    items = "\n".join(
        f'  <li><a href="{l["slug"]}/index.html">{l["title"]}</a> — '
        f'<a href="{href("../fiches/" + l["sheet"])}">fiche PDF</a></li>'
        for l in LESSONS)
    body = f"""<h1>Toutes les leçons</h1>
<ul class="lecons">
{items}
</ul>
<p>La <a href="../videos/lecon-fractions.mp4">vidéo de la leçon 1</a> (MP4, 10 secondes) est aussi
disponible avec ses <a href="../videos/lecon-fractions.fr.vtt">sous-titres en français</a>.
L'<a href="../videos/cours-complet-archive.bin">archive complète du cours</a> est un gros fichier
pour les établissements qui préparent une copie locale.</p>
"""
    return page("Leçons", 1, body, "Liste des leçons sur les fractions")


def lesson_page(i):
    l = LESSONS[i]
    points = "\n".join(f"  <li>{p}</li>" for p in l["points"])
    video = ""
    if l["video"]:
        video = """<figure class="video">
  <video controls preload="metadata" width="320" height="180" src="../../videos/lecon-fractions.mp4">
    <track kind="subtitles" srclang="fr" label="Français" src="../../videos/lecon-fractions.fr.vtt" default>
    Votre navigateur ne lit pas la vidéo : <a href="../../videos/lecon-fractions.mp4">téléchargez-la</a>.
  </video>
  <figcaption>La leçon en vidéo (10 secondes, sous-titrée).</figcaption>
</figure>
"""
    nav = []
    if i > 0:
        nav.append(f'<a rel="prev" href="../{LESSONS[i - 1]["slug"]}/index.html">← Séance précédente</a>')
    if i + 1 < len(LESSONS):
        nav.append(f'<a rel="next" href="../{LESSONS[i + 1]["slug"]}/index.html">Séance suivante →</a>')
    body = f"""<article data-seance="{i + 1}">
<h1>Séance {i + 1} : {l["title"]}</h1>
<p class="chapo">{l["intro"]}</p>
{video}<h2>Ce qu'il faut retenir</h2>
<ul>
{points}
</ul>
<h2>Exercice</h2>
<p>{l["exercise"]}</p>
<button type="button" class="afficher-correction" aria-expanded="false">Afficher la correction</button>
<p class="correction" hidden>{l["answer"]}</p>
<p class="fiche"><a href="{href("../../fiches/" + l["sheet"])}" download>Télécharger la fiche (PDF)</a></p>
<label><input type="checkbox" class="seance-terminee"> J'ai terminé cette séance</label>
<nav class="suite">{" ".join(nav)}</nav>
</article>
"""
    return page(l["title"], 2, body, l["intro"][:120].replace('"', "'"))


def corriges_page():
    rows = "\n".join(
        f"  <tr><td>Séance {i + 1}</td><td>{l['exercise']}</td><td>{l['answer']}</td></tr>"
        for i, l in enumerate(LESSONS))
    body = f"""<h1>Espace enseignants : corrigés</h1>
<p>Les corrigés des exercices, à projeter ou à envoyer aux familles.</p>
<table>
  <thead><tr><th>Séance</th><th>Consigne</th><th>Corrigé</th></tr></thead>
  <tbody>
{rows}
  </tbody>
</table>
<p><a href="../../../lecons/index.html">Retour aux leçons</a></p>
"""
    return page("Corrigés", 3, body, "Corrigés des exercices sur les fractions")


CSS = """/* Feuille de style du cours d'exemple : lisible sur un téléphone, sans police externe. */
:root { --bleu: #000091; --rouge: #e1000f; --gris: #f6f6f6; }
* { box-sizing: border-box; }
body { margin: 0; font: 1.05rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #161616; }
.bandeau { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .75rem 1rem;
           border-bottom: 3px solid var(--bleu); }
.bandeau .logo { font-weight: 700; color: var(--bleu); text-decoration: none; display: flex; gap: .5rem; align-items: center; }
.bandeau nav a { margin-right: 1rem; color: var(--bleu); }
main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { color: var(--bleu); line-height: 1.2; }
.chapo { font-size: 1.15rem; }
.seances li, .lecons li { margin: .4rem 0; }
.video video { max-width: 100%; height: auto; background: #000; }
.correction { background: var(--gris); border-left: 4px solid var(--bleu); padding: .5rem .75rem; }
button { font: inherit; padding: .4rem .8rem; border: 2px solid var(--bleu); background: #fff; color: var(--bleu); cursor: pointer; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .4rem; text-align: left; vertical-align: top; }
.suite { display: flex; justify-content: space-between; margin-top: 2rem; }
footer { margin-top: 3rem; padding: 1rem; font-size: .85rem; background: var(--gris); text-align: center; }
@media (prefers-color-scheme: dark) {
  body { background: #161616; color: #eee; }
  h1, .bandeau .logo, .bandeau nav a { color: #8585f6; }
  footer, .correction { background: #262626; }
}
"""

JS = """// Script du cours d'exemple : correction dépliable et séances terminées
// mémorisées dans le navigateur (aucune donnée n'est envoyée).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const bouton of document.querySelectorAll(".afficher-correction")) {
    const correction = bouton.nextElementSibling;
    bouton.addEventListener("click", () => {
      const visible = correction.hidden;
      correction.hidden = !visible;
      bouton.setAttribute("aria-expanded", String(visible));
      bouton.textContent = visible ? "Masquer la correction" : "Afficher la correction";
    });
  }
  const article = document.querySelector("article[data-seance]");
  const caseTerminee = document.querySelector(".seance-terminee");
  if (article && caseTerminee) {
    const cle = "relais-seance-" + article.dataset.seance;
    try {
      caseTerminee.checked = localStorage.getItem(cle) === "1";
      caseTerminee.addEventListener("change", () => localStorage.setItem(cle, caseTerminee.checked ? "1" : "0"));
    } catch (e) {
      caseTerminee.disabled = true;  // stockage local indisponible (navigation privée)
    }
  }
});
"""


def pizza_svg():
    import math
    parts = []
    for k in range(8):
        a0 = -math.pi / 2 + k * math.pi / 4
        a1 = a0 + math.pi / 4
        x0, y0 = 120 + 100 * math.cos(a0), 120 + 100 * math.sin(a0)
        x1, y1 = 120 + 100 * math.cos(a1), 120 + 100 * math.sin(a1)
        fill = "#e1000f" if k < 3 else "#ffe9a8"
        parts.append(f'  <path d="M120 120 L{x0:.2f} {y0:.2f} A100 100 0 0 1 {x1:.2f} {y1:.2f} Z" fill="{fill}"/>')
    return ("""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240" role="img">
  <title>Pizza partagée en huit : trois huitièmes coloriés</title>
""" + "\n".join(parts) + """
  <circle cx="120" cy="120" r="100" fill="none" stroke="#161616" stroke-width="3"/>
  <g stroke="#161616" stroke-width="2">
""" + "\n".join(
        f'    <line x1="120" y1="120" x2="{120 + 100 * math.cos(-math.pi / 2 + k * math.pi / 4):.2f}" '
        f'y2="{120 + 100 * math.sin(-math.pi / 2 + k * math.pi / 4):.2f}"/>' for k in range(8)) + """
  </g>
  <text x="120" y="232" font-family="sans-serif" font-size="18" text-anchor="middle">3/8</text>
</svg>
""")


LOGO_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">
  <title>Relais</title>
  <rect width="32" height="32" rx="6" fill="#000091"/>
  <path d="M9 24V8h7a5 5 0 0 1 0 10h-7m7 0 6 6" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
"""


def progression_json():
    doc = {
        "cours": "Les fractions au cycle 3",
        "niveau": ["CM1", "CM2"],
        "langue": "fr",
        "publie_le": "2026-03-16T08:00:00Z",
        "seances": [
            {
                "numero": i + 1,
                "titre": l["title"],
                "page": f"/lecons/{l['slug']}/index.html",
                "fiche": "/fiches/" + l["sheet"],
                "video": "/videos/lecon-fractions.mp4" if l["video"] else None,
                "duree_minutes": 25,
                "notions": l["points"],
            }
            for i, l in enumerate(LESSONS)
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- PDF

def pdf_text(s):
    """A PDF literal string in WinAnsiEncoding (cp1252 covers French and the em dash)."""
    # U+2212 MINUS SIGN is not in WinAnsi: the hyphen stands in for it.
    b = s.replace("\u2212", "-").encode("cp1252")
    return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_info_text(s):
    """A PDF text string for the Info dictionary: UTF-16BE with a BOM, in hex."""
    return b"<FEFF" + s.encode("utf-16-be").hex().upper().encode() + b">"


def wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


class PageText:
    """Builds one page's content stream: text lines top to bottom, plus boxes."""

    def __init__(self):
        self.ops = []
        self.y = 790

    def text(self, s, size=11, font="F1", indent=0, width=92):
        for line in wrap(s, int(width * 11 / size)):
            self.ops.append(b"BT /%s %d Tf %d %d Td %s Tj ET" % (font.encode(), size, 56 + indent, self.y, pdf_text(line)))
            self.y -= int(size * 1.45)

    def gap(self, h=8):
        self.y -= h

    def answer_lines(self, n):
        # Dotted lines where the pupil writes the answer.
        for _ in range(n):
            self.y -= 20
            self.ops.append(b"q 0.6 G [1 2] 0 d 0.5 w 56 %d m 539 %d l S Q" % (self.y, self.y))
        self.y -= 20

    def fraction_bar(self, parts, shaded):
        # A strip split into `parts` equal boxes, the first `shaded` filled grey.
        w = 480 // parts
        top = self.y - 30
        for k in range(parts):
            x = 56 + k * w
            fill = b"0.75 g " if k < shaded else b"1 g "
            self.ops.append(b"q " + fill + b"0 G 1 w %d %d %d 24 re B Q" % (x, top, w))
        self.y = top - 18

    def footer(self, s, number, total):
        self.ops.append(b"BT /F1 8 Tf 56 40 Td %s Tj ET" % pdf_text(f"{s} — page {number}/{total}"))

    def stream(self):
        return b"\n".join(self.ops) + b"\n"


def build_pdf(title, pages_spec):
    """A valid PDF 1.4: catalog, page tree, pages, Helvetica fonts, Info, xref."""
    pages = []
    for spec in pages_spec:
        p = PageText()
        spec(p)
        pages.append(p)
    for n, p in enumerate(pages, 1):
        p.footer(title, n, len(pages))

    objects = {}  # number -> bytes (the object body)
    n_pages = len(pages)
    # 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, then (page, content) pairs.
    kids = [6 + 2 * k for k in range(n_pages)]
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R /Lang (fr-FR) >>"
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), n_pages)
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects[4] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    objects[5] = (b"<< /Title " + pdf_info_text(title) + b" /Author " + pdf_info_text("Cours d'exemple Relais")
                  + b" /Producer (relais make-sample-course.py) /CreationDate (D:20260316080000Z)"
                  + b" /ModDate (D:20260316080000Z) >>")
    for k, p in enumerate(pages):
        page_no, content_no = 6 + 2 * k, 7 + 2 * k
        objects[page_no] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % content_no)
        data = zlib.compress(p.stream(), 9)
        objects[content_no] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n" % size
    out += b"0000000000 65535 f \n"  # each entry is exactly 20 bytes
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num]
    file_id = hashlib.md5(bytes(out)).hexdigest().upper().encode()
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R /ID [<%s> <%s>] >>\n" % (size, file_id, file_id)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def sheet(lesson_index):
    l = LESSONS[lesson_index]
    title = f"Fiche — Séance {lesson_index + 1} : {l['title']}"

    def first(p):
        p.text(title, size=16, font="F2")
        p.gap()
        p.text("Nom : ....................   Prénom : ....................   Date : ............")
        p.gap(10)
        p.text("Je retiens", size=13, font="F2")
        for point in l["points"]:
            p.text("• " + point, indent=8)
        p.gap(10)
        p.text("Exercice 1", size=13, font="F2")
        p.text(l["exercise"])
        p.answer_lines(3)
        p.text("Exercice 2 : quelle fraction de la bande est grisée ?", size=11, font="F2")
        for parts, shaded in ((4, 1), (6, 5), (10, 7)):
            p.fraction_bar(parts, shaded)
            p.text("Fraction grisée : ........   Elle se lit : ......................................")
            p.gap(4)

    def second(p):
        p.text("Exercice 3 : à toi de représenter", size=13, font="F2")
        for parts, label in ((8, "3/8"), (5, "2/5"), (10, "9/10")):
            p.text(f"Grise {label} de la bande.")
            p.fraction_bar(parts, 0)
        p.gap(8)
        p.text("Exercice 4 : problème", size=13, font="F2")
        p.text("Pour la fête de l'école, Inès coupe un gâteau en 12 parts égales. Ses camarades mangent "
               "7 parts. Quelle fraction du gâteau a été mangée ? Quelle fraction reste-t-il ? "
               "Explique ta réponse par une phrase.")
        p.answer_lines(5)
        p.text("Auto-évaluation", size=13, font="F2")
        p.text("☐ J'ai compris   ☐ J'ai besoin d'aide   ☐ Je peux expliquer à un camarade"
               .replace("☐", "[ ]"))

    def third(p):
        p.text("Corrigé (à détacher par l'adulte)", size=13, font="F2")
        p.text("Exercice 1 : " + l["answer"])
        p.text("Exercice 2 : 1/4 (un quart) ; 5/6 (cinq sixièmes) ; 7/10 (sept dixièmes).")
        p.text("Exercice 3 : on grise 3 cases sur 8, 2 cases sur 5, 9 cases sur 10.")
        p.text("Exercice 4 : 7/12 du gâteau a été mangé ; il reste 5/12, car 12 − 7 = 5.")
        p.gap(12)
        p.text("« Le plus important n'est pas de trouver vite, mais de savoir expliquer comment on a trouvé. »")

    return build_pdf(title, [first, second, third])


# ---------------------------------------------------------------- tree

def write(root, rel, data):
    path = os.path.join(root, *rel.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def write_large(root):
    path = os.path.join(root, *LARGE_FILE_PATH.split("/"))
    if os.path.exists(path) and os.path.getsize(path) == LARGE_FILE_SIZE:
        # Same size: check the first and last chunks instead of rewriting 50 MiB.
        with open(path, "rb") as f:
            head = f.read(MIB)
            last = (LARGE_FILE_SIZE - 1) // MIB
            f.seek(last * MIB)
            tail = f.read()
        if head == large_file_chunk(0) and tail == large_file_chunk(last)[:len(tail)]:
            return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        left, i = LARGE_FILE_SIZE, 0
        while left > 0:
            chunk = large_file_chunk(i)[:min(MIB, left)]
            f.write(chunk)
            left -= len(chunk)
            i += 1
    os.replace(tmp, path)


def files():
    out = {
        "index.html": home_page(),
        "lecons/index.html": lessons_index(),
        "css/cours.css": CSS,
        "js/cours.js": JS,
        "images/pizza-trois-huitiemes.svg": pizza_svg(),
        "images/logo-relais.svg": LOGO_SVG,
        "data/progression.json": progression_json(),
        "ressources/enseignants/notes-vides.txt": b"",
        "ressources/enseignants/corriges/index.html": corriges_page(),
    }
    for i, l in enumerate(LESSONS):
        out[f"lecons/{l['slug']}/index.html"] = lesson_page(i)
        out["fiches/" + l["sheet"]] = sheet(i)
    for name in ("lecon-fractions.mp4", "lecon-fractions.fr.vtt"):
        with open(os.path.join(SHIPPED, name), "rb") as f:
            out["videos/" + name] = f.read()
    return out


def main(argv):
    args = [a for a in argv[1:] if a != "--skip-large"]
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: make-sample-course.py [--skip-large] OUT_DIR", file=sys.stderr)
        return 2
    root = args[0]
    os.makedirs(root, exist_ok=True)
    wanted = files()
    for rel, data in wanted.items():
        write(root, rel, data)
    if "--skip-large" not in argv:
        write_large(root)
    # Fixed mtimes, files and folders alike, so publishes are reproducible.
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (MTIME, MTIME))
    os.utime(root, (MTIME, MTIME))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
