-- The OZG maturity model a measure's levels follow: 1.1 (2020, levels 0–4) for what was entered
-- before, 2.0 (July 2025, levels 0–7) for new entries. A measure without levels has no model.

create type maturity_model as enum ('1.1', '2.0');

alter table measures
    add column maturity_model maturity_model;

update measures
   set maturity_model = '1.1'
 where maturity_now is not null or maturity_target is not null;

alter table measures
    drop constraint measures_maturity_now_check,
    drop constraint measures_maturity_target_check,
    add constraint measures_maturity_model_given
        check ((maturity_model is null) = (maturity_now is null and maturity_target is null)),
    add constraint measures_maturity_levels_in_model
        check (greatest(maturity_now, maturity_target) <= case maturity_model when '1.1' then 4 else 7 end
               and least(maturity_now, maturity_target) >= 0);
