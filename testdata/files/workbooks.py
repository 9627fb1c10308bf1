# A LibreOffice Python macro that make.sh runs inside soffice: it builds the
# workbooks that a plain "soffice --convert-to" cannot, because they need
# several sheets or cell number formats set by hand as a tenant would.
import os

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.lang import Locale


def _props(**kw):
    out = []
    for name, value in kw.items():
        p = PropertyValue()
        p.Name = name
        p.Value = value
        out.append(p)
    return tuple(out)


def _load_csv(desktop, path, options):
    return desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(path), "_blank", 0,
        _props(FilterName="Text - txt - csv (StarCalc)", FilterOptions=options, Hidden=True))


def _format(doc, code):
    formats = doc.NumberFormats
    locale = Locale("en", "US", "")
    key = formats.queryKey(code, locale, False)
    if key == -1:
        key = formats.addNew(code, locale)
    return key


def _used_area(sheet):
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    addr = cursor.RangeAddress
    return sheet.getCellRangeByPosition(0, 0, addr.EndColumn, addr.EndRow)


def main(*args):
    src = os.environ["FIXTURE_SRC"]
    out = os.environ["FIXTURE_OUT"]
    desktop = XSCRIPTCONTEXT.getDesktop()

    doc = _load_csv(desktop, os.path.join(src, "customers.csv"), os.environ["CUSTOMERS_FILTER"])
    contacts = _load_csv(desktop, os.path.join(src, "contacts.csv"), os.environ["CONTACTS_FILTER"])
    try:
        customers = doc.Sheets.getByIndex(0)
        customers.Name = "Customers"
        # Formats a German tenant would set: the date column as DD.MM.YYYY
        # and the revenue with thousands separators.
        customers.getCellRangeByName("E2:E5").NumberFormat = _format(doc, "DD.MM.YYYY")
        customers.getCellRangeByName("F2:F5").NumberFormat = _format(doc, "#,##0.00")
        # Formatting whole columns, as tenants do, makes the programs write
        # the empty rows and columns below and beside the data as repeats.
        customers.getCellRangeByName("C1:C1048576").NumberFormat = _format(doc, "@")
        customers.getCellRangeByName("A6:AMJ1048576").CellBackColor = 0xFFFFCC

        data = _used_area(contacts.Sheets.getByIndex(0)).getDataArray()
        doc.Sheets.insertNewByName("Contacts", 1)
        target = doc.Sheets.getByName("Contacts")
        target.getCellRangeByPosition(0, 0, len(data[0]) - 1, len(data) - 1).setDataArray(data)
        # An empty sheet does not count as a second table of data.
        doc.Sheets.insertNewByName("Notes", 2)

        base = os.path.join(out, "two-sheets")
        doc.storeToURL(uno.systemPathToFileUrl(base + ".xlsx"), _props(FilterName="Calc MS Excel 2007 XML"))
        doc.storeToURL(uno.systemPathToFileUrl(base + ".ods"), _props(FilterName="calc8"))
    finally:
        contacts.close(True)
        doc.close(True)


g_exportedScripts = (main,)
