"""Every stage's tables in one metadata (Alembic, tests); only migrations and tests import this."""

from __future__ import annotations

from tapewire.alerts import models as alerts_models
from tapewire.enrich import models as enrich_models
from tapewire.ingest import models as ingest_models
from tapewire.market import models as market_models
from tapewire.newsroom import brief_index as newsroom_brief_index
from tapewire.newsroom import models as newsroom_models
from tapewire.pipeline import models as pipeline_models
from tapewire.publish import models as publish_models
from tapewire.scorecard import models as scorecard_models
from tapewire.signals import models as signals_models
from tapewire.store.base import Base
from tapewire.technicals import models as technicals_models

ALL_MODELS = (
    alerts_models,
    enrich_models,
    ingest_models,
    market_models,
    newsroom_models,
    newsroom_brief_index,
    pipeline_models,
    publish_models,
    scorecard_models,
    signals_models,
    technicals_models,
)
metadata = Base.metadata
