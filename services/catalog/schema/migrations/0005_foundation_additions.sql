-- 0005: foundation additions, second round.

-- mm_user.updated_on is "updated to now() on every update" in MirrorManager2, by the ORM
-- (onupdate). Do it in the database so that every writer keeps it right: a row update that does
-- not change updated_on itself gets now(), the same expression as the column's default.
CREATE OR REPLACE FUNCTION mm_touch_updated_on() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_on IS NOT DISTINCT FROM OLD.updated_on THEN
        NEW.updated_on := now();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER mm_user_touch_updated_on BEFORE UPDATE ON mm_user
    FOR EACH ROW EXECUTE PROCEDURE mm_touch_updated_on();
