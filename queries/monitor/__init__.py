"""The query functions of the monitor pages: (access, filters) in, a frame of protected figures out.

One module per page: `overview`, `registrations`, `waiting`, `referrals`, `survey`, `reach`. They
read only published figures, through `queries.catalogue.indicators` (and its reader).
"""
