"""From a conduct violation to a penalty proposal on the configurable scale (4, 7.2).

The record page of a violation offers "Propose penalty" to users who may write penalties for that
employee; the proposal takes its kind from the policy's penalty scale for the violation's severity
(default: minor → warning, moderate → serious warning, serious → fine), its clause and facts from
the violation, and waits for HR's approval (the Penalty workflow).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from .. import locks, policy
from ..clock import today
from ..extensions import db
from ..guard import check_write
from ..models import ConductViolation, Penalty
from ..models.policy import PolicyKey
from ..models.rewards import PenaltyStatus
from ..registry import BY_NAME
from ..security.scope import ScopeError, scoped
from ..validation import ValidationFailure

TITLE = _l("Propose penalty")


def proposal_for(violation: ConductViolation) -> Penalty:
    kind = policy.get(PolicyKey.penalty_scale)[violation.severity]
    return Penalty(employee_id=violation.employee_id, kind=kind, decided_on=today(),
                   reason=violation.facts, clause=violation.clause, violation_id=violation.id,
                   status=PenaltyStatus.proposed)


class ViolationPenaltyView(BaseView):
    route_base = "/conduct"
    record_entity = "ConductViolation"  # its breadcrumb and its link: the violation's record page

    @classmethod
    def record_link(cls, item, actor):
        """On a violation's page, for users who may write penalties for its employee."""
        if actor.reaches("Penalty", "write", item.employee_id):
            return TITLE, url_for(f"{cls.__name__}.propose", pk=item.id), "propose-penalty"
        return None
    default_view = "propose"

    @expose("/violation/<int:pk>/propose-penalty", methods=["GET", "POST"])
    @login_required
    def propose(self, pk):
        entity = BY_NAME[self.record_entity]
        violation = scoped(entity).filter(
            ConductViolation.id == pk).one_or_none()
        if violation is None:
            abort(404)
        penalty = proposal_for(violation)
        back = url_for("ConductViolationView.show", pk=pk)
        if request.method == "POST":
            try:
                check_write(penalty, adding=True)
                db.session.add(penalty)
                locks.commit()
            except (ScopeError, ValidationFailure, locks.Conflict) as exc:
                db.session.rollback()
                status = 409 if isinstance(exc, locks.Conflict) else 403
                return self.render_template("portal/propose_penalty.html", violation=violation,
                                            penalty=penalty, back=back, error=str(exc),
                                            title=TITLE), status
            flash(str(_l("Penalty proposed; it waits for HR's approval.")), "success")
            return redirect(url_for("PenaltyView.show", pk=penalty.id))
        return self.render_template("portal/propose_penalty.html", violation=violation, penalty=penalty,
                                    back=back, error=None, title=TITLE)
