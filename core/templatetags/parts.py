from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_part(context, part):
    """Render a hook's Part (core.hooks) in the page's own context: no second request context
    is built, and the part sees the page's language, user and nonce."""
    part_template = context.template.engine.get_template(part.template)
    with context.push(part.context):
        return part_template.render(context)
