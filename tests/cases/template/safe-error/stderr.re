t\.tmpl:2: TMPL_VAR: unknown attribute "colour"
