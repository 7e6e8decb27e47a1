"""API — verifier assignments and the reporting round of a year (issue 11).

Thin: each handler parses, calls :mod:`carbonpeak.service.reporting.assignments` (which checks role
and scope and writes the audit trail), and returns its typed result.

============================================ ===========================================
route                                        who
============================================ ===========================================
``POST /assignments``                        province; city (its city; other → 404)
``DELETE /assignments/{id}``                 province; city (its city; other → 404)
``GET /assignments``                         every role but public, in scope (a verifier:
                                             its own)
``GET /verifiers``                           province, city (whom to assign)
``PUT /reporting-rounds/{year}``             province
``GET /reporting-rounds/{year}``             every signed-in user
``GET /reporting-rounds/{year}/status``      every role but public, in scope
============================================ ===========================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from carbonpeak.http.deps import Ctx
from carbonpeak.http.params import YEAR_MAX, YEAR_MIN, BodyId, BodyYear, IdPath, IdQuery, YearQuery
from carbonpeak.model.schemas import TextSafeModel
from carbonpeak.service.reporting import assignments
from carbonpeak.service.reporting.assignments import Assignment, Round, RoundStatus, VerifierChoice
from carbonpeak.service.schemas.common import error_responses

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["assignments"], responses=error_responses())

_YEAR = f"the reporting year, {YEAR_MIN}–{YEAR_MAX}"
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description=_YEAR)]
CityQuery = Annotated[
    str | None, Query(max_length=6, pattern=r"^\d{6}$", description="city code (GB/T 2260)")
]
StateQuery = Annotated[
    str | None,
    Query(max_length=32, description="not_reported, draft, submitted, under_verification, verified, …"),
]


class AssignmentCreate(TextSafeModel):
    """Assign a verifier (user id) to an enterprise (id) for a year, or every year."""

    verifier_id: BodyId
    enterprise_id: BodyId
    year: BodyYear | None = Field(default=None, description="None: every year")


class RoundUpdate(TextSafeModel):
    """A year's reporting round: the deadline (Beijing date, YYYY-MM-DD) and a note."""

    deadline: str = Field(max_length=32, description="YYYY-MM-DD, Beijing time")
    note: str = Field(default="", max_length=2000)


@router.post("/assignments", status_code=201, response_model=Assignment)
def create_assignment(ctx: Ctx, body: AssignmentCreate) -> Assignment:
    """Assign a verifier; 409 ``assign_exists`` when held, 422 ``assign_not_verifier``."""
    return assignments.assign(ctx, body.verifier_id, body.enterprise_id, body.year)


@router.delete("/assignments/{assignment_id}", response_model=Assignment)
def delete_assignment(ctx: Ctx, assignment_id: IdPath) -> Assignment:
    """Remove an assignment; the answer is the assignment removed."""
    return assignments.unassign(ctx, assignment_id)


@router.get("/assignments", response_model=list[Assignment])
def list_assignments(
    ctx: Ctx,
    year: YearQuery = None,
    enterprise_id: IdQuery = None,
    verifier_id: IdQuery = None,
    city: CityQuery = None,
) -> list[Assignment]:
    """The assignments in scope; *year* keeps those holding for it (that year's and undated)."""
    return assignments.list_assignments(
        ctx, year=year, enterprise_id=enterprise_id, verifier_id=verifier_id, city=city
    )


@router.get("/verifiers", response_model=list[VerifierChoice])
def list_verifiers(ctx: Ctx) -> list[VerifierChoice]:
    """The active verifier accounts, to assign (province and city)."""
    return assignments.list_verifiers(ctx)


@router.put("/reporting-rounds/{year}", response_model=Round)
def put_round(ctx: Ctx, year: YearPath, body: RoundUpdate) -> Round:
    """Open the year's round or move its deadline (province); 422 ``round_deadline``."""
    return assignments.open_round(ctx, year, body.deadline, body.note)


@router.get("/reporting-rounds/{year}", response_model=Round)
def get_round(ctx: Ctx, year: YearPath) -> Round:
    """The year's round (404 when none is open)."""
    return assignments.get_round(ctx, year)


@router.get("/reporting-rounds/{year}/status", response_model=RoundStatus)
def round_status(ctx: Ctx, year: YearPath, city: CityQuery = None, status: StateQuery = None) -> RoundStatus:
    """Who has reported for the year and who has not, the counts and the days to the deadline."""
    return assignments.round_status(ctx, year, city=city, status=status)
