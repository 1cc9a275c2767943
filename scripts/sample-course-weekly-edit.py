#!/usr/bin/env python3
"""A teacher's weekly edit of the sample course, in place: a paragraph changed
in each lesson page, a function added to the script, a rule added to the
stylesheet. Used by the dcz measurement and the browser test (issue 22).

usage: sample-course-weekly-edit.py COURSE_DIR [WEEK]
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
week = sys.argv[2] if len(sys.argv) > 2 else "2"

for page in sorted(root.glob("lecons/*/index.html")):
    text = page.read_text(encoding="utf-8")
    # The first paragraph of the lesson body becomes this week's note.
    new = (f"<p class=\"nouveau\">Semaine {week} : nous reprenons cette lecon avec un exemple de la vie "
           f"courante, trois parts sur huit d'une pizza, et une question pour la classe.</p>")
    text, n = re.subn(r"<p>.*?</p>", new, text, count=1, flags=re.S)
    if n != 1:
        sys.exit(f"{page}: no paragraph to change")
    page.write_text(text, encoding="utf-8")

script = root / "js" / "cours.js"
script.write_text(script.read_text(encoding="utf-8") + f"""
// Semaine {week}: surligne les nouveautes de la semaine.
function surlignerNouveautes() {{
  for (const p of document.querySelectorAll("p.nouveau")) {{
    p.style.backgroundColor = "#fff3b0";
    p.setAttribute("title", "Nouveau cette semaine");
  }}
}}
document.addEventListener("DOMContentLoaded", surlignerNouveautes);
""", encoding="utf-8")

sheet = root / "css" / "cours.css"
sheet.write_text(sheet.read_text(encoding="utf-8") + f"""
/* Semaine {week}: les nouveautes de la semaine */
p.nouveau {{ border-left: 4px solid #e0a800; padding-left: 0.5em; font-weight: 600; }}
""", encoding="utf-8")
