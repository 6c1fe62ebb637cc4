"""The query functions of the monitor pages: (access, filters) in, a frame of protected figures out.

One module per page: `overview`, `registrations`, `waiting`, `referrals`, `survey`, `reach`, and `funnel`
(with the pure `funnel_limits`) for the comparison of units. They
read only published figures, through `queries.catalogue.indicators` (and its reader).
"""
