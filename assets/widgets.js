/* Two plain HTML pieces drawn from data, each one Dash component (dashboard/ui/widgets.py).

   Dash's renderer spends about a millisecond per component on every page it lays out, so a period
   select of 170 <option> components, or a table of 60 cells, cost more than the charts (issue 18).
   These draw the same HTML from data instead: a native <select> (a form field like any other, so the
   controls stay a plain GET form) and a table behind a <details> that is only built once it is opened
   (a closed <details> shows nothing to anyone, screen readers included). Their namespace, as Dash
   wants it, is the Python package that defines them. */
(function () {
  var e = window.React.createElement;

  function Select(props) {
    // Keyed by the value: a new view laid out in place gets a fresh select, showing its value.
    return e("select", {key: String(props.value), id: props.id, name: props.name, className: props.className,
                        defaultValue: props.value},
             (props.options || []).map(function (o) { return e("option", {key: o[0], value: o[0]}, o[1]); }));
  }

  function table(props) {
    var header = props.header || [];
    return e("table", {className: props.table_class || "data-table"},
      e("caption", null, props.caption),
      e("thead", null, e("tr", null, header.map(function (h, i) { return e("th", {key: i, scope: "col"}, h); }))),
      e("tbody", null, (props.rows || []).map(function (row, r) {
        return e("tr", {key: r}, row.map(function (cell, i) {
          return i === 0 ? e("th", {key: i, scope: "row"}, cell) : e("td", {key: i}, cell);
        }));
      })));
  }

  function TableDetails(props) {
    var state = window.React.useState(false), open = state[0], setOpen = state[1];
    return e("details", {id: props.id, className: props.className,
                         onToggle: function (event) { setOpen(event.currentTarget.open); }},
             e("summary", null, props.summary),
             open ? e("div", {id: props.id ? props.id + "-body" : undefined}, table(props)) : null);
  }

  window.dashboard = {Select: Select, TableDetails: TableDetails};
})();
