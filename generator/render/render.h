/*
 * render/render.h - the render stage's public header: the week's documents
 * (HTML page and archive index, PDF, XLSX) from a report.
 */
#ifndef AID_RENDER_H
#define AID_RENDER_H

#include "render/html.h"
#include "render/pdf/pdf.h"
#include "render/xlsx.h"

#endif
