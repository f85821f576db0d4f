^usage: aidigest template
