"""Energy-efficiency benchmark/baseline and GB limit classification engines (pure).

Modules (frames in, frames out; none imports store/, io/, a service or a face):

* :mod:`~carbonpeak.benchmark.levels` — the limit grades (1级/2级/3级) and 标杆/基准 levels
  of a refdata factor set as frames; the level row that applies to each line by product,
  route and date (the edition in force).
* :mod:`~carbonpeak.benchmark.classify` — each line's grade, gap to the limit (kgce/t and
  tce/a), benchmark status (with the 1级 stand-in where no 标杆 is sourced), the
  capacity-weighted share at benchmark and the list of lines below the limit.
"""
