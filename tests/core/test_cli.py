import io
from clinic_app import cli

def test_probe(tmp_path, capsys, monkeypatch):
    code = cli.main(["--store", str(tmp_path / "c.db"), "init"])
    cap = capsys.readouterr()
    print("CODE", code, repr(cap.out), repr(cap.err))
    assert "Created" in cap.out
