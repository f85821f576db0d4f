t\.tmpl:2: TMPL_LOOP has no /TMPL_LOOP
