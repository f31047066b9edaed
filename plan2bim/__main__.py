from .cli import app

app(prog_name="plan2bim")
