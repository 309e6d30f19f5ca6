-- Research studies: a researcher's request for consent from N patients drawn at random from those eligible
-- (ResearchDraw). The consents themselves are rows of phr_consent (purpose HRESCH); the approved ones in force form
-- the study's research pool.
CREATE TABLE phr_research_study (
    study_id        VARCHAR(36)   NOT NULL PRIMARY KEY,
    researcher      VARCHAR(128)  NOT NULL,
    researcher_name VARCHAR(128)  NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    eligibility     VARCHAR(2000) NOT NULL,
    eligible        INTEGER       NOT NULL,
    asked           INTEGER       NOT NULL
);
CREATE INDEX phr_research_study_researcher ON phr_research_study (researcher);
CREATE TABLE phr_research_study_consent (
    study_id   VARCHAR(36) NOT NULL,
    consent_id VARCHAR(64) NOT NULL,
    PRIMARY KEY (study_id, consent_id)
);
