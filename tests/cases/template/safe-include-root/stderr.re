t\.tmpl:1: template \.\./secret\.txt is outside the template root
