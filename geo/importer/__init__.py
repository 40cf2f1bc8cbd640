"""Read a GIS file someone uploads into zones the register can merge, with a report.

One function, :func:`read_import`, takes an upload (its bytes, or the path of a
file, whose size is checked before anything is read) and returns an
:class:`ImportReport`: what was found, what was refused and why, and the zones to
merge in the store's columns. Bad input never raises: every problem becomes a
sentence in ``errors`` (the import is refused) or ``warnings`` (the import goes on,
and the user must check something); ``notes`` say what was done that needs nothing
from the user. Messages name the user's file, layer and sheet, never ours.

Formats, recognised by their content first and their extension second: zipped
shapefiles (any folder depth, several per zip), GeoPackage, GeoJSON, KML, KMZ,
FlatGeobuf, GeoParquet, CSV and Excel (.xlsx) with latitude/longitude or WKT
columns, and a zip holding one file of any of these. Uploads are written to a
private temporary folder under names of our own and removed afterwards; a zip's
sizes, ratio and paths are checked before anything is unpacked, and the bytes
actually unpacked are counted against the limits as well.

The modules follow the pipeline, like geopandas' ``io``:

- :mod:`~geo.importer.sniff`: the format from the first bytes; safe unpacking of zips;
  :mod:`~geo.importer.upload`: the upload staged (size first) and handed to readers;
- one reader per format family: :mod:`~geo.importer.shapefile`,
  :mod:`~geo.importer.gdal` (GeoPackage, GeoJSON, FlatGeobuf),
  :mod:`~geo.importer.parquet`, :mod:`~geo.importer.delimited` (CSV),
  :mod:`~geo.importer.excel`, with :mod:`~geo.importer.sheets` and
  :mod:`~geo.importer.coords` for tables as offices make them;
- :mod:`~geo.importer.encoding`: text repair (legacy Vietnamese encodings);
- :mod:`~geo.importer.crs`: CRS identification (VN-2000 in any form);
- :mod:`~geo.importer.fields`: field mapping and reading values;
- :mod:`~geo.importer.geometry`: geometry repair, reprojection and measurement;
- :mod:`~geo.importer.join`: sheets about the same zones joined, repeats folded;
- :mod:`~geo.importer.zones`: defaults and checks as validation makes them, ids;
- :mod:`~geo.importer.report`: the report; :mod:`~geo.importer.pipeline` runs it all;
- :mod:`~geo.importer.spool`: uploads on disk, released after the import.

Decisions the callers rely on:

- ``crs=`` always wins. It is used when the file declares no CRS and it
  overrides a declared one; a warning names both when they differ. A CSV or
  sheet without ``crs=`` whose coordinates are degrees is read as WGS 84
  (EPSG:4326), the convention of latitude/longitude columns; any other layer
  without a CRS is refused with a description of its coordinates and the
  coordinate systems they fit.
- VN-2000 in any form (EPSG code, ESRI or custom-named WKT with the VN-2000
  datum or its 7-parameter shift) is reported and transformed as its EPSG code,
  e.g. ``"EPSG:9210 (VN-2000 / TM-3 105-45)"``; a VN-2000 projection with no
  EPSG code keeps its parameters on the EPSG:4756 datum. Every CRS label has
  the form ``"EPSG:<code> (<name>)"``, or the CRS name when it has no code.
- ``layer=`` picks one layer (exact name, else the same name ignoring case and
  diacritics). Without it, every layer that holds zones is imported: polygons or
  points with a column that maps onto ``name_vi``. Other layers are listed with
  ``imported=False`` and the reason.
- A datum only named (no EPSG datum, no shift) that is not VN-2000 under one of its
  names refuses the layer, naming the likely coordinate systems: ``crs=`` settles it.
- ``features`` and ``names`` cover every feature read from the layers that were
  processed (they held zones and had a usable CRS), including features refused
  one by one (``""`` for a feature without a name); rows of several sheets about
  one zone, and a zone given twice (same name, same boundary), count once; total
  rows and headings are no features. ``zones`` holds only those that can be
  merged. A layer is ``imported`` when at least one of its features is.
- Sheets of one workbook describing the same zones are joined by code, else by
  name without its kind word; where they disagree the import is refused and asks
  which sheet to trust (``prefer=``). A sheet without coordinates lends its
  attributes to the zones other sheets locate.
- A zone without a status gets ``unknown`` and a warning; values validation would
  refuse (non-positive areas, occupancy beyond 100%, industrial land above the
  total area, leased above industrial) are left empty, kept in the notes, with a
  warning: a clean import never makes ``kcn-atlas validate`` fail.
- ``mapping=`` (column → register field) overrides the importer's guesses; the
  report's ``mapping`` says where every column went.
- Feature- and layer-level problems are warnings when something can still be
  imported, and errors when nothing can.
- ``total_area_ha`` adds, per zone, its measured area (polygons, in EPSG:3405,
  stored as ``area_measured_ha``) or else its declared ``area_total_ha`` (points);
  None when no zone has either.
- When several layers differ, ``crs`` and ``encoding`` list the distinct values
  joined with ``"; "``.
"""

from geo.importer.model import ImportLimits
from geo.importer.pipeline import read_import, read_plots
from geo.importer.report import (
    ColumnMapping,
    ImportReport,
    LayerReport,
    PlotImportReport,
    ZoneSummary,
)

__all__ = ["ColumnMapping", "ImportLimits", "ImportReport", "LayerReport", "PlotImportReport",
           "ZoneSummary", "read_import", "read_plots"]
